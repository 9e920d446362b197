"""The availability calendar in the reader's language: holiday names from the ``holidays``
package (English, Ukrainian) or the catalogue (Arabic), and the days' labels translated."""

from __future__ import annotations

from datetime import date, timedelta

import holidays
import pytest

from mediathek import i18n
from mediathek.opening_calendar import Calendar, coming_closed_days
from tests.factories import title_with_copies

HTMX = {"HX-Request": "true"}
GOOD_FRIDAY = date(2026, 4, 3)

NAMES = {
    "de": ("Karfreitag", "Ostermontag", "kein Öffnungstag"),
    "en": ("Good Friday", "Easter Monday", "not an opening day"),
    "uk": ("Страсна пʼятниця", "Великодній понеділок", "неробочий день"),
    "ar": ("الجمعة العظيمة", "اثنين الفصح", "ليس يوم دوام"),
}


@pytest.mark.parametrize("lang", sorted(NAMES))
def test_holidays_and_closed_weekdays_are_named_in_the_reader_language(lang):
    friday, monday, weekend = NAMES[lang]
    calendar = Calendar()
    with i18n.using(lang):
        assert calendar.closed_reason(GOOD_FRIDAY) == friday
        assert calendar.closed_reason(date(2026, 4, 6)) == monday
        assert calendar.closed_reason(date(2026, 4, 4)) == weekend
        coming = coming_closed_days(calendar, date(2026, 3, 10), days=40)
    assert [why for _first, _last, why in coming] == [friday, monday]


def test_the_names_do_not_change_which_days_are_open():
    calendar = Calendar()
    with i18n.using("ar"):
        assert not calendar.is_open(GOOD_FRIDAY) and calendar.is_open(date(2026, 4, 2))
    assert not calendar.is_open(GOOD_FRIDAY)


@pytest.mark.parametrize(
    ("lang", "label", "german"),
    [
        ("en", 'title="Good Friday"', "Karfreitag"),
        ("uk", 'title="Страсна пʼятниця"', "Karfreitag"),
        ("ar", 'title="الجمعة العظيمة"', "Karfreitag"),
    ],
)
async def test_the_title_calendar_names_the_holiday_in_her_language(client, lang, label, german):
    title_id, _ = await title_with_copies("Bildkarten Ostern", copies=2)
    # The page counts from the real today: Good Friday of next year.
    year = date.today().year + 1
    [friday] = [
        d for d, n in holidays.Germany(years=year, language="de").items() if n == "Karfreitag"
    ]
    page = await client.get(
        f"/reservierungen/titel/{title_id}/kalender?ab={friday - timedelta(days=4)}",
        headers={**HTMX, "Accept-Language": lang},
    )
    assert page.status_code == 200
    assert label in page.text
    assert german not in page.text and "geschlossen" not in page.text
    # What a tap on a day reads out (data-label) is hers too.
    assert "data-label=" in page.text and " frei" not in page.text


GERMAN_NAMES = {n for n in holidays.Germany(subdiv="NW", years=2027, language="de").values()}


@pytest.mark.parametrize("lang", ["en", "uk", "ar"])
async def test_the_contact_page_lists_the_next_holidays_in_her_language(client, lang):
    page = await client.get("/kontakt", headers={"Accept-Language": lang})
    assert page.status_code == 200
    listed = page.text.split('<ul class="closed-days"', 1)[1].split("</ul>", 1)[0]
    with i18n.using(lang):
        names = {
            Calendar().holiday_name(day)
            for year in (date.today().year, date.today().year + 1)
            for day in holidays.Germany(subdiv="NW", years=year)
        }
    assert any(name in listed for name in names), listed
    assert not any(name in listed for name in GERMAN_NAMES), listed


async def test_the_calendar_file_describes_the_booking_in_her_language(client_for, teacher_anna):
    from icalendar import Calendar as ICalendar

    from mediathek.reservations.tables import Booking
    from tests.factories import next_years_monday, title_with_copy_ids

    title_id, _ = await title_with_copy_ids(1)
    start = next_years_monday()
    async with client_for(teacher_anna) as c:
        r = await c.post(
            f"/titel/{title_id}/reservieren",
            data={"start_on": start.isoformat(), "end_on": (start + timedelta(4)).isoformat()},
        )
        assert r.status_code == 303
        [booking] = await Booking.select(Booking.id)
        c.cookies.set(i18n.COOKIE, "uk")
        ics = await c.get(f"/konto/reservierungen/{booking['id']}/kalender.ics")
    [event, _return] = ICalendar.from_ical(ics.text).walk("VEVENT")
    description = str(event["description"])
    assert description.startswith("Примірник M") and "на стійці видачі" in description
    assert "Exemplar" not in description and "Theke" not in description
