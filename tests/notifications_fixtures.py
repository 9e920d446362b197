"""Loans to remind about, and a real SMTP server (aiosmtpd) to deliver them to."""

from __future__ import annotations

import dataclasses
import re
import socket
from datetime import date, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope

from mediathek.catalogue.barcodes import make_code
from mediathek.catalogue.tables import Copy, CopyStatus, Title
from mediathek.circulation.tables import Loan
from mediathek.vocab import MediaType

_copy_counter = iter(range(5000, 100_000))


def free_port() -> int:
    # aiosmtpd's Controller cannot use port 0: ask the OS for a free one first.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """aiosmtpd handler that keeps every message; ``refuse`` lists addresses it rejects (5xx)."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope: Envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope: Envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in m["To"]]


def password_check(username: str, password: str):
    """aiosmtpd authenticator accepting one login (mediathek / geheim)."""

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == username.encode() and auth_data.password == password.encode()
        return AuthResult(success=ok)

    return authenticate


class SmtpServer:
    """``login``: (user, password) the server demands (AUTH without TLS, test only)."""

    def __init__(self, login: tuple[str, str] | None = None) -> None:
        self.port = free_port()
        self.inbox = Inbox()
        self.login = login
        self.controller: Controller | None = None

    def start(self) -> None:
        extra = {}
        if self.login:
            extra = {
                "authenticator": password_check(*self.login),
                "auth_required": True,
                "auth_require_tls": False,
            }
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port, **extra)
        self.controller.start()

    def stop(self) -> None:
        if self.controller:
            self.controller.stop()
            self.controller = None


async def lend(
    patron_id: int | None,
    due_on: date,
    *,
    title: str = "Bildkarten Obst und Gemüse",
    returned: bool = False,
    reminder_level: int = 0,
) -> dict:
    """A loan of a fresh copy of a fresh title; returns ids and the copy's barcode."""
    n = next(_copy_counter)
    title_id = (
        await Title.insert(Title(title=title, media_type=MediaType.picture_cards)).returning(
            Title.id
        )
    )[0]["id"]
    barcode = make_code("M", n)
    copy_id = (
        await Copy.insert(
            Copy(title=title_id, barcode=barcode, status=CopyStatus.on_loan)
        ).returning(Copy.id)
    )[0]["id"]
    from datetime import UTC, datetime

    loan_id = (
        await Loan.insert(
            Loan(
                copy=copy_id,
                title=title_id,
                patron=patron_id,
                patron_category="paid_teacher",
                media_type=MediaType.picture_cards,
                loaned_on=due_on - timedelta(days=28),
                due_on=due_on,
                reminder_level=reminder_level,
                returned_at=datetime.now(UTC) if returned else None,
            )
        ).returning(Loan.id)
    )[0]["id"]
    return {"loan_id": loan_id, "copy_id": copy_id, "barcode": barcode, "title": title}


async def give_back(loan_id: int) -> None:
    from datetime import UTC, datetime

    await Loan.update({Loan.returned_at: datetime.now(UTC)}).where(Loan.id == loan_id)


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on 127.0.0.1; ``smtp_server.inbox.messages`` holds mail."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_settings(settings, smtp_server):
    return dataclasses.replace(
        settings, smtp_host="127.0.0.1", smtp_port=smtp_server.port, smtp_timeout=5
    )


LINK = re.compile(r"http://testserver\.local(/[\w/-]+/[\w-]{20,})")


def links_in(message: EmailMessage) -> list[str]:
    """The one-time link paths in a delivered message (plain and HTML part alike)."""
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    found = LINK.findall(text)
    assert found == LINK.findall(html)[: len(found)], "both parts carry the same link"
    return found
