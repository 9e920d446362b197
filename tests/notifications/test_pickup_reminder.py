"""The pickup reminder: the opening day before a booking's pickup day she gets an e-mail in
her language with the pickup and return days as a calendar file, once per booking, delivered
to a real SMTP server and read back as a mail program would."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from icalendar import Calendar

from mediathek import i18n
from mediathek.circulation.tables import PatronCategory
from mediathek.notifications import pickup
from mediathek.notifications.delivery import deliver_outbox
from mediathek.notifications.kinds import ALL_CANCELLED
from mediathek.notifications.services import save_template
from mediathek.notifications.tables import Notification, NotificationKind
from mediathek.opening_calendar import add_closure
from mediathek.patrons.tables import Role
from mediathek.reservations.services import book, cancel_booking
from mediathek.site_settings import set_setting
from tests.factories import make_persona, title_with_copy_ids

D = date
CONTACT = {
    "name": "Mediathek im Integrationszentrum",
    "address": "Lindenstraße 12, 40233 Düsseldorf",
    "phone": "0211 123",
    "email": "mediathek@example.org",
}


async def _reminders() -> list[dict]:
    return await (
        Notification.select(Notification.id, Notification.patron, Notification.payload)
        .where(Notification.kind == NotificationKind.pickup_reminder)
        .order_by(Notification.id)
        .output(load_json=True)
    )


async def _booked(patron_id: int, start: date, end: date, today: date, name: str) -> int:
    title_id, _ = await title_with_copy_ids(1, name=name)
    return await book(patron_id, title_id, start, end, today)


def _calendar_of(message) -> Calendar:
    [part] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert part.get_filename() == "reservierung.ics"
    assert part.get_param("method") == "PUBLISH"
    return Calendar.from_ical(part.get_content())


async def test_a_monday_pickup_is_reminded_on_friday_with_a_calendar_file(
    teacher_anna, mail_settings, smtp_server, today
):
    await set_setting("contact", CONTACT)
    booking = await _booked(teacher_anna.patron_id, D(2026, 3, 16), D(2026, 3, 20), today, "Koffer")

    assert await pickup.run_daily(D(2026, 3, 12)) == {"pickup_reminders": 0}  # Thursday
    assert await pickup.run_daily(D(2026, 3, 13)) == {"pickup_reminders": 1}  # Friday
    # The same day again, and the closed weekend: nothing new.
    for day in (D(2026, 3, 13), D(2026, 3, 14), D(2026, 3, 15)):
        assert await pickup.run_daily(day) == {"pickup_reminders": 0}
    await deliver_outbox(mail_settings)

    [message] = [
        m
        for m in smtp_server.inbox.to(teacher_anna.email)
        if m.is_multipart() and m.get_content_type() == "multipart/mixed"
    ]
    assert message["Subject"] == "Reservierung abholen ab Montag, 16.03.2026"
    text = message.get_body(("plain",)).get_content()
    assert "Koffer\n  Abholen ab 16.03.2026, zurückbringen bis 20.03.2026" in text
    assert "http://testserver.local/konto/reservierungen" in text
    assert "Koffer" in message.get_body(("html",)).get_content()

    calendar = _calendar_of(message)
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {
        f"booking-{booking}-pickup@testserver.local",
        f"booking-{booking}-return@testserver.local",
    }
    pickup_event = events[f"booking-{booking}-pickup@testserver.local"]
    return_event = events[f"booking-{booking}-return@testserver.local"]
    assert pickup_event.decoded("dtstart") == D(2026, 3, 16)
    assert return_event.decoded("dtstart") == D(2026, 3, 20)
    assert str(pickup_event["summary"]) == "Mediathek: abholen – Koffer"
    assert str(return_event["summary"]) == "Mediathek: zurückbringen – Koffer"
    for event in (pickup_event, return_event):
        assert str(event["location"]) == (
            "Mediathek im Integrationszentrum, Lindenstraße 12, 40233 Düsseldorf"
        )
        [alarm] = event.walk("VALARM")
        assert str(alarm["action"]) == "DISPLAY"
        assert alarm.decoded("trigger").total_seconds() < 0


async def test_the_reminder_goes_on_the_last_opening_day_not_the_calendar_day_before(
    teacher_anna, today
):
    # Tuesday after Easter: Good Friday and Easter Monday are holidays in NRW.
    await _booked(teacher_anna.patron_id, D(2026, 4, 7), D(2026, 4, 10), today, "Ostern")
    assert await pickup.run_daily(D(2026, 4, 1)) == {"pickup_reminders": 0}
    assert await pickup.run_daily(D(2026, 4, 2)) == {"pickup_reminders": 1}  # Maundy Thursday
    assert len(await _reminders()) == 1


async def test_a_closure_moves_the_reminder_day_too(teacher_anna, today):
    await _booked(teacher_anna.patron_id, D(2026, 3, 19), D(2026, 3, 20), today, "Fortbildung")
    await add_closure(D(2026, 3, 18), D(2026, 3, 18), "Fortbildung")
    assert await pickup.run_daily(D(2026, 3, 17)) == {"pickup_reminders": 1}


async def test_a_run_missed_while_the_server_was_down_is_made_up_while_the_pickup_is_ahead(
    teacher_anna, kita_sonnenschein, today
):
    await _booked(teacher_anna.patron_id, D(2026, 3, 16), D(2026, 3, 20), today, "Anna")
    await _booked(kita_sonnenschein.patron_id, D(2026, 3, 13), D(2026, 3, 13), today, "Kita")
    # No run on Thursday 12th nor Friday 13th: Saturday makes up Anna's; the Kita's pickup
    # day has passed (it is too late to remind her of it).
    assert await pickup.run_daily(D(2026, 3, 14)) == {"pickup_reminders": 1}
    [notice] = await _reminders()
    assert notice["patron"] == teacher_anna.patron_id
    # On the pickup day itself nothing is made up any more.
    other = await _booked(teacher_anna.patron_id, D(2026, 3, 24), D(2026, 3, 24), today, "Spät")
    assert await pickup.run_daily(D(2026, 3, 24)) == {"pickup_reminders": 0}
    assert other not in [i["booking_id"] for n in await _reminders() for i in n["payload"]["items"]]


async def test_a_basket_is_one_email_and_every_booking_is_told_once(
    teacher_anna, mail_settings, smtp_server, today
):
    first = await _booked(teacher_anna.patron_id, D(2026, 3, 16), D(2026, 3, 20), today, "Erste")
    second = await _booked(teacher_anna.patron_id, D(2026, 3, 16), D(2026, 3, 18), today, "Zweite")
    # Two schedulers (or the app and cron) at the same moment still make one notice.
    await asyncio.gather(pickup.run_daily(D(2026, 3, 13)), pickup.run_daily(D(2026, 3, 13)))
    await pickup.run_daily(D(2026, 3, 14))
    [notice] = await _reminders()
    assert [i["booking_id"] for i in notice["payload"]["items"]] == [first, second]
    await deliver_outbox(mail_settings)
    await deliver_outbox(mail_settings)
    [message] = [m for m in smtp_server.inbox.to(teacher_anna.email) if "abholen" in m["Subject"]]
    events = list(_calendar_of(message).walk("VEVENT"))
    # One pickup event for the day, one return event per return day.
    assert sorted((e.decoded("dtstart"), str(e["summary"])) for e in events) == [
        (D(2026, 3, 16), "Mediathek: abholen – Erste, Zweite"),
        (D(2026, 3, 18), "Mediathek: zurückbringen – Zweite"),
        (D(2026, 3, 20), "Mediathek: zurückbringen – Erste"),
    ]


async def test_a_booking_cancelled_before_delivery_is_not_reminded(
    teacher_anna, mail_settings, smtp_server, today
):
    booking = await _booked(teacher_anna.patron_id, D(2026, 3, 16), D(2026, 3, 20), today, "Weg")
    await pickup.run_daily(D(2026, 3, 13))
    await cancel_booking(booking, teacher_anna.patron_id, today)
    await deliver_outbox(mail_settings)
    assert not [m for m in smtp_server.inbox.to(teacher_anna.email) if "abholen" in m["Subject"]]
    [row] = await Notification.select(Notification.status, Notification.last_error).where(
        Notification.kind == NotificationKind.pickup_reminder
    )
    assert row == {"status": "sent", "last_error": ALL_CANCELLED}


@pytest.mark.parametrize(
    ("lang", "subject", "summary"),
    [
        ("en", "Pick up your booking from Monday, 16 Mar 2026", "Mediathek: pick up – Koffer"),
        (
            "uk",
            "Бронювання можна забрати: понеділок, 16 бер. 2026 р.",
            "Медіатека: забрати – Koffer",
        ),
        (
            "ar",
            "يمكنك استلام حجزك ابتداءً من يوم الاثنين، 16\u200f/03\u200f/2026",
            "المكتبة: الاستلام – Koffer",
        ),
    ],
)
async def test_the_email_and_its_calendar_speak_her_language(
    mail_settings, smtp_server, today, lang, subject, summary
):
    reader = await make_persona(
        f"Lehrerin {lang}", Role.teacher, PatronCategory.paid_teacher, language=lang
    )
    await _booked(reader.patron_id, D(2026, 3, 16), D(2026, 3, 20), today, "Koffer")
    await pickup.run_daily(D(2026, 3, 13))
    await deliver_outbox(mail_settings)
    [message] = [
        m for m in smtp_server.inbox.to(reader.email) if m.get_content_type() == "multipart/mixed"
    ]
    assert message["Content-Language"] == lang
    assert message["Subject"] == subject
    assert "Guten Tag" not in message.get_body(("plain",)).get_content()
    events = {
        str(e["uid"]).split("@")[0].rsplit("-", 1)[1]: e
        for e in _calendar_of(message).walk("VEVENT")
    }
    assert str(events["pickup"]["summary"]) == summary
    assert "abholen" not in str(events["pickup"]["description"])


async def test_an_admin_adapts_the_english_reminder_and_the_calendar_still_comes(
    mail_settings, smtp_server, today
):
    reader = await make_persona(
        "Teacher En", Role.teacher, PatronCategory.paid_teacher, language="en"
    )
    await save_template(
        "pickup_reminder.en",
        "Your booking: {{ pickup_on | weekday }}",
        "Dear {{ name }},\n\n{% for item in items %}"
        "{{ item.title }} from {{ item.start_on | day }}\n{% endfor %}\nSee you!",
        mail_settings,
        actor_id=None,
        actor_label="admin",
    )
    await _booked(reader.patron_id, D(2026, 3, 16), D(2026, 3, 20), today, "Koffer")
    await pickup.run_daily(D(2026, 3, 13))
    await deliver_outbox(mail_settings)
    [message] = [
        m for m in smtp_server.inbox.to(reader.email) if m.get_content_type() == "multipart/mixed"
    ]
    assert message["Subject"] == "Your booking: Monday"
    assert "Koffer from 16 Mar 2026" in message.get_body(("plain",)).get_content()
    assert len(list(_calendar_of(message).walk("VEVENT"))) == 2


async def test_the_calendar_file_of_her_account_speaks_the_page_language(client_for, today):
    reader = await make_persona(
        "Lehrerin Uk", Role.teacher, PatronCategory.paid_teacher, language="uk"
    )
    booking = await _booked(reader.patron_id, D(2026, 3, 16), D(2026, 3, 20), today, "Koffer")
    async with client_for(reader) as c:
        c.cookies.set(i18n.COOKIE, "uk")
        ics = await c.get(f"/konto/reservierungen/{booking}/kalender.ics")
    events = {str(e["uid"]): e for e in Calendar.from_ical(ics.text).walk("VEVENT")}
    event = events[f"booking-{booking}-pickup@testserver.local"]
    assert str(event["summary"]) == "Забрати: Koffer"
    assert str(event["description"]).startswith("Примірник ")
    assert "Theke" not in str(event["description"])
