"""Stand-ins for the outside world: a real SMTP server (aiosmtpd) that keeps what it is sent,
and a local fake of the ISBN metadata and cover services, so tests never touch the network."""

from __future__ import annotations

import contextlib
import http.server
import re
import socket
import threading
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope
from isbnlib import registry
from isbnlib.dev import ISBNLibURLError

from mediathek.catalogue import isbn

# ---- mail ----------------------------------------------------------------------------------


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


LINK = re.compile(r"http://testserver\.local(/[\w/-]+/[\w-]{20,})")


def links_in(message: EmailMessage) -> list[str]:
    """The one-time link paths in a delivered message (plain and HTML part alike)."""
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    found = LINK.findall(text)
    assert found == LINK.findall(html)[: len(found)], "both parts carry the same link"
    return found


# ---- ISBN metadata and covers ---------------------------------------------------------------

KNOWN = {
    "9783191010805": {
        "ISBN-13": "9783191010805",
        "Title": "Schritte plus Neu 1 : Kursbuch und Arbeitsbuch",
        "Authors": ["Daniela Niebisch", "Sylvette Penning-Hiemstra"],
        "Publisher": "Hueber",
        "Year": "2016",
        "Language": "de",
    }
}
# Smallest valid PNG: a 1×1 pixel.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def fake_service(isbn13: str) -> dict:
    return KNOWN.get(isbn13, {})


def offline_service(isbn13: str) -> dict:
    raise ISBNLibURLError("network is unreachable")


class _CoverHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(PNG)

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def fake_isbn_services(offline: bool = False, cover: bool = True) -> Iterator[None]:
    registry.add_service("fake", offline_service if offline else fake_service)
    registry.metadata_cache.clear()
    server = http.server.HTTPServer(("127.0.0.1", 0), _CoverHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/cover.png"
    saved = isbn.LOOKUP_SERVICES[:], isbn.COVER_SOURCES[:]
    isbn.LOOKUP_SERVICES[:] = ["fake"]
    isbn.COVER_SOURCES[:] = [lambda code: url if cover and code in KNOWN else ""]
    try:
        yield
    finally:
        isbn.LOOKUP_SERVICES[:], isbn.COVER_SOURCES[:] = saved
        server.shutdown()
        registry.metadata_cache.clear()
