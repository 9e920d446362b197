"""Bar charts as SVG, drawn on the server: no JavaScript, no third-party library.

Each chart is an image with a title and a description for screen readers; the page shows the
same numbers as a table beside it, so the chart itself is decoration for sighted readers.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from mediathek.i18n import _

BAR = 22  # height of one horizontal bar (px)
GAP = 8
LABEL_WIDTH = 210
PLOT_WIDTH = 360
COLUMN_HEIGHT = 180  # plot height of the vertical (per month) chart


def _nice_max(value: int) -> int:
    """A round upper end for the axis (1, 2, 5 × 10^n) so the scale reads easily."""
    if value <= 0:
        return 1
    step = 1
    while True:
        for m in (1, 2, 5):
            if m * step >= value:
                return m * step
        step *= 10


def _svg(width: int, height: int, chart_id: str, title: str, desc: str, body: str) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>{body}</svg>'
    )


def _describe(rows: list[tuple[str, int]]) -> str:
    return "; ".join(f"{label}: {n}" for label, n in rows) or _("Keine Daten im Zeitraum.")


def horizontal_bars(chart_id: str, title: str, rows: list[tuple[str, int]]) -> Markup:
    top = _nice_max(max((n for _label, n in rows), default=0))
    height = max(1, len(rows)) * (BAR + GAP) + GAP
    width = LABEL_WIDTH + PLOT_WIDTH + 50
    parts = []
    for i, (label, n) in enumerate(rows):
        y = GAP + i * (BAR + GAP)
        length = round(PLOT_WIDTH * n / top)
        short = label if len(label) <= 30 else label[:29] + "…"
        parts.append(
            f'<text class="chart-label" x="{LABEL_WIDTH - 6}" y="{y + BAR * 0.7:.1f}" '
            f'text-anchor="end">{escape(short)}</text>'
            f'<rect class="chart-bar" x="{LABEL_WIDTH}" y="{y}" width="{length}" height="{BAR}"/>'
            f'<text class="chart-value" x="{LABEL_WIDTH + length + 4}" '
            f'y="{y + BAR * 0.7:.1f}">{n}</text>'
        )
    if not rows:
        empty = escape(_("Keine Daten im Zeitraum."))
        parts.append(f'<text class="chart-label" x="6" y="{BAR}">{empty}</text>')
    return _svg(width, height, chart_id, title, _describe(rows), "".join(parts))


def vertical_bars(chart_id: str, title: str, rows: list[tuple[str, int]]) -> Markup:
    """Columns for a time series (loans per month); labels are shortened to 3 letters."""
    top = _nice_max(max((n for _label, n in rows), default=0))
    column = 34
    left, bottom = 40, 36
    width = left + max(1, len(rows)) * (column + 8) + 8
    height = COLUMN_HEIGHT + bottom + 16
    parts = [
        f'<line class="chart-axis" x1="{left}" y1="{16 + COLUMN_HEIGHT}" '
        f'x2="{width}" y2="{16 + COLUMN_HEIGHT}"/>',
        f'<text class="chart-value" x="{left - 4}" y="20" text-anchor="end">{top}</text>',
        f'<text class="chart-value" x="{left - 4}" y="{16 + COLUMN_HEIGHT}" '
        f'text-anchor="end">0</text>',
    ]
    for i, (label, n) in enumerate(rows):
        x = left + 8 + i * (column + 8)
        h = round(COLUMN_HEIGHT * n / top)
        y = 16 + COLUMN_HEIGHT - h
        parts.append(
            f'<rect class="chart-bar" x="{x}" y="{y}" width="{column}" height="{h}"/>'
            f'<text class="chart-value" x="{x + column / 2}" y="{y - 3}" '
            f'text-anchor="middle">{n}</text>'
            f'<text class="chart-label" x="{x + column / 2}" y="{16 + COLUMN_HEIGHT + 16}" '
            f'text-anchor="middle">{escape(label[:3])}</text>'
        )
    return _svg(width, height, chart_id, title, _describe(rows), "".join(parts))
