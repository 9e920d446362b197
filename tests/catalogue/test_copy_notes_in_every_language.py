"""Notes the system writes on a copy (hold shelf, an incomplete kit, the stocktake) are stored
in German and read by staff in their language; a note staff typed stays as they wrote it."""

from __future__ import annotations

from pathlib import Path

import pytest

from mediathek import i18n
from mediathek.catalogue.policy import PULL_NOTE, PUT_BACK_NOTE, copy_note_text
from mediathek.circulation import services
from mediathek.reservations import setaside
from mediathek.vocab import MediaType
from tests.factories import title_with_copies


def test_the_notes_shown_are_the_notes_the_areas_write():
    assert setaside.PULL_NOTE == PULL_NOTE and setaside.PUT_BACK_NOTE == PUT_BACK_NOTE
    stocktake = Path("mediathek/reports/stocktake.py").read_text()
    assert 'f"Bei der Bestandsrevision am {today:%d.%m.%Y} nicht gefunden."' in stocktake
    checkin = Path("mediathek/circulation/services.py").read_text()
    assert '"Fehlt: " + ", ".join(missing)' in checkin


@pytest.mark.parametrize(
    ("note", "english"),
    [
        (PULL_NOTE, "Fetch from the shelf and put on the hold shelf."),
        (PUT_BACK_NOTE, "No longer to be collected: put back on the shelf."),
        ("Fehlt: Handpuppe, Würfel", "Missing: Handpuppe, Würfel"),
        ("Fehlt: Handpuppe; Ecke geknickt", "Missing: Handpuppe; Ecke geknickt"),
        (
            "Bei der Bestandsrevision am 03.02.2026 nicht gefunden.",
            "Not found in the stocktake on 3 Feb 2026.",
        ),
        ("Ecke geknickt", "Ecke geknickt"),
        ("", ""),
    ],
)
def test_a_system_note_reads_in_english_and_a_typed_one_as_written(note, english):
    with i18n.using("en"):
        assert copy_note_text(note) == english
    assert copy_note_text(note) == note


async def test_staff_read_the_note_of_an_incomplete_kit_in_english(
    client_for, staff, teacher_anna, today
):
    title_id, [code] = await title_with_copies(
        "Medienkoffer Familie", MediaType.kit, components=[("Handpuppe", 1)]
    )
    await services.checkout(teacher_anna.card, code, today=today, staff_id=None)
    await services.checkin(code, today=today, staff_id=None, missing_components=["Handpuppe"])
    async with client_for(staff) as c:
        c.cookies.set(i18n.COOKIE, "en")
        page = await c.get(f"/verwaltung/titel/{title_id}")
    assert page.status_code == 200
    assert '<span class="meta">Missing: Handpuppe</span>' in page.text
