"""In a real browser: staff reading the outbox cannot take over the admin's login."""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import sys

from tests.e2e.live import login, start_server
from tests.e2e.test_journeys import mail_server, text_part  # noqa: F401 - fixture

ADMIN = "admin@mediathek.example"
LINK = re.compile(r"http://127\.0\.0\.1:\d+(/passwort-setzen/[\w-]{20,})")


async def test_a_reset_link_for_the_admin_reaches_only_the_admin(browser, mail_server, tmp_path):  # noqa: F811
    controller, inbox = mail_server
    smtp = {"MEDIATHEK_SMTP_HOST": "127.0.0.1", "MEDIATHEK_SMTP_PORT": str(controller.port)}
    proc, server = start_server(tmp_path, smtp)
    try:
        anonymous = await browser.new_context(base_url=server.url, locale="de-DE")
        page = await anonymous.new_page()
        await page.goto("/passwort-vergessen")
        await page.get_by_label("E-Mail-Adresse").fill(ADMIN)
        await page.get_by_role("button").filter(has_text=re.compile("Link|senden")).click()
        await page.wait_for_load_state()

        # Deliver, as cron would, then look at everything staff can see of that notice.
        done = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "mediathek.cli", "notify", "--deliver-only"],
            env=server.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        [mail] = [m for m in inbox.messages if ADMIN in m["To"]]
        path = LINK.search(text_part(mail)).group(1)

        staff = await browser.new_context(base_url=server.url, locale="de-DE")
        desk = await staff.new_page()
        await login(desk, "theke@mediathek.example")
        await desk.goto("/verwaltung/benachrichtigungen?art=password_reset")
        await desk.locator("table a").first.click()
        await desk.wait_for_load_state()
        shown = await desk.content()
        assert "Link entfernt" in shown
        assert "/passwort-setzen/" not in shown and path.rsplit("/", 1)[1] not in shown
        api = await desk.request.get("/api/v1/notifications")
        assert "/passwort-setzen/" not in await api.text()

        # The admin, with the link from her mailbox, sets a new password.
        await page.goto(path)
        await page.get_by_label("Neues Passwort").fill("admin-neu-und-lang-42")
        await page.get_by_label("Passwort wiederholen").fill("admin-neu-und-lang-42")
        await page.get_by_role("button", name="Passwort speichern").click()
        await page.wait_for_url(re.compile(r"/$|/verwaltung|/admin"))
        await anonymous.close()
        await staff.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        shutil.rmtree(tmp_path / "data", ignore_errors=True)
