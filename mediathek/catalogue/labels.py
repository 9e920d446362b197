"""Barcode labels: Code128 SVGs and A4 label sheets.

Code128 is what cheap USB scanners read out of the box and is dense enough for a 70 mm label.
The SVG is drawn in millimetres so it prints at exactly the size the scanner expects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import barcode
from barcode.writer import SVGWriter


def barcode_svg(code: str, *, module_width: float = 0.33, height: float = 12.0) -> str:
    """An inline ``<svg>`` (no XML prolog) of ``code`` as Code128, sized in mm.

    Colours are attributes, not ``style=``: the pages' Content-Security-Policy forbids inline
    styles, and a blocked style would print a black box instead of a white background.
    """
    rendered = (
        barcode.get("code128", code, writer=SVGWriter())
        .render(
            {
                "module_width": module_width,
                "module_height": height,
                "quiet_zone": 3.0,  # the blank margin scanners need on both sides
                "write_text": False,
                "compress": False,
            }
        )
        .decode()
    )
    svg = rendered[rendered.index("<svg") :]
    svg = svg.replace('style="fill:white"', 'fill="white"').replace(
        'style="fill:black;"', 'fill="black"'
    )
    svg = re.sub(r"<!--.*?-->", "", svg)
    svg = svg.replace(' id="barcode_group"', "")
    return svg.replace(
        "<svg ", f'<svg role="img" aria-label="Strichcode {code}" class="barcode" ', 1
    )


@dataclass(frozen=True)
class SheetLayout:
    key: str
    label: str
    columns: int
    rows: int
    width_mm: float
    height_mm: float

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows


LAYOUTS = {
    layout.key: layout
    for layout in (
        SheetLayout("3x8", "A4, 3 × 8 Etiketten, 70 × 37 mm (z. B. Zweckform 3490)", 3, 8, 70, 37),
        SheetLayout(
            "3x7", "A4, 3 × 7 Etiketten, 70 × 42,3 mm (z. B. Zweckform 3652)", 3, 7, 70, 42.3
        ),
    )
}
DEFAULT_LAYOUT = "3x8"


def sheet_pages(items: list, layout: SheetLayout, start: int = 1) -> list[list]:
    """Place items on sheets, leaving the first ``start - 1`` places empty (None) so a
    half-used sheet can go through the printer again. Returns one list of cells per page."""
    start = max(1, min(start, layout.per_sheet))
    cells: list = [None] * (start - 1) + list(items)
    pages = [cells[i : i + layout.per_sheet] for i in range(0, len(cells), layout.per_sheet)]
    for page in pages:
        page.extend([None] * (layout.per_sheet - len(page)))
    return pages or [[None] * layout.per_sheet]
