"""A local fake metadata service for isbnlib, so ISBN tests never touch the network."""

from __future__ import annotations

import contextlib
import http.server
import threading
from collections.abc import Iterator

from isbnlib import registry
from isbnlib.dev import ISBNLibURLError

from mediathek.catalogue import isbn

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
