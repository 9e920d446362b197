"""The three journeys that carry the product, in a real browser (DESIGN §1)."""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import sys
from datetime import timedelta
from email import message_from_bytes
from email.message import Message

import pytest
from aiosmtpd.controller import Controller

from tests.e2e.live import fetch_rows, free_port, login, start_server
from tests.factories import next_years_monday


async def test_teacher_searches_reserves_and_renews(page):
    await login(page, "anna.berger@mediathek.example")
    await page.goto("/katalog")
    await page.get_by_label(re.compile("^Suchen nach")).fill("Bildkarten")
    results = page.locator(".results")
    await results.get_by_role("heading", level=3).first.wait_for()
    # Narrow down with a facet: only titles with a copy on the shelf.
    await page.get_by_label(re.compile("^jetzt im Regal")).check()
    await page.wait_for_url(re.compile(r"verfuegbar=1"))
    first = results.get_by_role("heading", level=3).first.get_by_role("link")
    await first.click()
    await page.wait_for_url(re.compile(r"/titel/\d+$"))

    box = page.locator("#reservation-box")
    await box.get_by_role("button", name="Vormerken").click()
    await box.locator(".alert-ok").first.wait_for()
    # A course week of opening days: pickup on Monday, return on Friday.
    start = next_years_monday()
    end = start + timedelta(days=4)
    await box.get_by_label("Erster Tag").fill(start.isoformat())
    await box.get_by_label("Letzter Tag").fill(end.isoformat())
    await box.get_by_role("button", name="Reservieren", exact=True).click()
    plain = f"Abholen ab Mo {start:%d.%m.}, zurückbringen bis Fr {end:%d.%m.}"
    await box.get_by_text(plain).first.wait_for()

    await page.goto("/konto")
    assert await page.locator("#my-holds li").count() >= 1
    await page.locator("#my-bookings").get_by_text(plain).first.wait_for()
    loans = page.locator("#my-loans")
    await loans.get_by_role("button", name=re.compile("^Verlängern")).first.click()
    await loans.get_by_text(re.compile("ist verlängert bis")).wait_for()


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


def text_part(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    return ""


@pytest.fixture
def mail_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


async def test_reminder_digest_arrives_and_its_renew_link_works(browser, mail_server, tmp_path):
    controller, inbox = mail_server
    smtp = {"MEDIATHEK_SMTP_HOST": "127.0.0.1", "MEDIATHEK_SMTP_PORT": str(controller.port)}
    proc, server = start_server(tmp_path, smtp)
    try:
        # Forty days later every demo loan would be overdue. The run refuses a day in the
        # future (it would raise levels early), so the loans' due dates move 40 days back.
        shift = (
            "UPDATE loan SET due_on = date(due_on, '-40 days')"
            if server.database_url.startswith("sqlite")
            else "UPDATE loan SET due_on = due_on - 40"
        )
        await fetch_rows(server.database_url, shift + " WHERE returned_at IS NULL")
        done = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "mediathek.cli", "notify"],
            env=server.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        mails = [m for m in inbox.messages if "anna.berger@mediathek.example" in m["To"]]
        assert len(mails) == 1, [m["To"] for m in inbox.messages]
        body = text_part(mails[0])
        assert "überfällig" in body.lower() or "Leihfrist" in body
        link = re.search(r"(http://127\.0\.0\.1:\d+/konto\S*)", body).group(1)

        context = await browser.new_context(locale="de-DE")
        page = await context.new_page()
        await page.goto(link)  # not logged in yet: the link leads through the login
        await page.get_by_label("E-Mail-Adresse").fill("anna.berger@mediathek.example")
        await page.get_by_label("Passwort", exact=True).fill("mediathek-demo")
        await page.get_by_role("button", name="Anmelden").click()
        await page.wait_for_url(re.compile(r"/konto"))
        # Forty days late is past the second reminder: the mail does not offer online renewal
        # and her account says why there is no button.
        assert "nicht mehr online verlängern" in body
        loans = page.locator("#my-loans")
        await loans.get_by_text("Online nicht mehr verlängerbar").first.wait_for()
        await context.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        shutil.rmtree(tmp_path / "data", ignore_errors=True)
