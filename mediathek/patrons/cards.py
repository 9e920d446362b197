"""The printable library card: the card code as a Code128 barcode (SVG)."""

from __future__ import annotations

import base64
import io

from barcode import Code128
from barcode.writer import SVGWriter

# Bars wide enough for cheap USB scanners and phone cameras, with a quiet zone either side.
WRITER_OPTIONS = {
    "module_width": 0.33,
    "module_height": 14.0,
    "quiet_zone": 6.0,
    "font_size": 0,  # the code is printed as text beside the barcode, in the page's font
    "text_distance": 0,
    "background": "white",
    "foreground": "black",
}


def card_svg(code: str) -> bytes:
    buffer = io.BytesIO()
    Code128(code, writer=SVGWriter()).write(buffer, options=WRITER_OPTIONS)
    return buffer.getvalue()


def card_svg_data_uri(code: str) -> str:
    """For ``<img src>``: the page's CSP allows data: images but no inline styles."""
    return "data:image/svg+xml;base64," + base64.b64encode(card_svg(code)).decode()
