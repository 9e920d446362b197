"""Creating reminder digests: once per patron and day, every item, the right level."""

from __future__ import annotations

from datetime import timedelta

from mediathek.circulation.tables import Loan
from mediathek.notifications.reminders import create_reminders, level_three_patrons
from mediathek.notifications.tables import Notification, NotificationKind
from mediathek.patrons.tables import Patron
from mediathek.site_settings import set_setting
from tests.factories import lend_new_title


async def notices() -> list[dict]:
    return await Notification.select().order_by(Notification.id).output(load_json=True)


async def test_one_digest_per_patron_lists_every_item(teacher_anna, today):
    await lend_new_title(teacher_anna.patron_id, today + timedelta(days=3), title="Tiptoi Wörter")
    await lend_new_title(teacher_anna.patron_id, today - timedelta(days=7), title="Memo Tiere")
    await lend_new_title(teacher_anna.patron_id, today - timedelta(days=30), title="Koffer Kita")
    result = await create_reminders(today)
    assert result["digests"] == 1
    [notice] = await notices()
    assert notice["kind"] == NotificationKind.overdue
    assert notice["level"] == 3
    levels = {i["title"]: i["level"] for i in notice["payload"]["items"]}
    assert levels == {"Tiptoi Wörter": 0, "Memo Tiere": 1, "Koffer Kita": 3}


async def test_running_twice_a_day_creates_nothing_new(teacher_anna, today):
    await lend_new_title(teacher_anna.patron_id, today - timedelta(days=8))
    await create_reminders(today)
    second = await create_reminders(today)
    assert second["digests"] == 0
    assert len(await notices()) == 1


async def test_the_loan_level_rises_with_the_notice_and_is_not_sent_again(teacher_anna, today):
    loan = await lend_new_title(teacher_anna.patron_id, today - timedelta(days=7))
    await create_reminders(today)
    row = await Loan.select(Loan.reminder_level).where(Loan.id == loan["loan_id"]).first()
    assert row["reminder_level"] == 1
    # The next days: still level 1, nothing new until level 2 is reached.
    assert (await create_reminders(today + timedelta(days=1)))["digests"] == 0
    assert (await create_reminders(today + timedelta(days=7)))["digests"] == 1
    assert [n["level"] for n in await notices()] == [1, 2]


async def test_due_soon_is_sent_once_per_due_date(teacher_anna, today):
    await lend_new_title(teacher_anna.patron_id, today + timedelta(days=3))
    assert (await create_reminders(today))["digests"] == 1
    assert (await create_reminders(today + timedelta(days=1)))["digests"] == 0
    [notice] = await notices()
    assert notice["kind"] == NotificationKind.due_soon


async def test_nothing_for_returned_loans_or_anonymised_ones(teacher_anna, today):
    await lend_new_title(teacher_anna.patron_id, today - timedelta(days=10), returned=True)
    await lend_new_title(None, today - timedelta(days=10))
    assert (await create_reminders(today))["digests"] == 0
    assert await notices() == []


async def test_offsets_come_from_the_admin_settings(teacher_anna, today):
    await set_setting("due_soon_days", 5)
    await set_setting("overdue_level_days", [2, 4, 6])
    await lend_new_title(teacher_anna.patron_id, today + timedelta(days=5), title="Bald")
    await lend_new_title(teacher_anna.patron_id, today - timedelta(days=4), title="Spät")
    await create_reminders(today)
    [notice] = await notices()
    assert {i["title"]: i["level"] for i in notice["payload"]["items"]} == {"Bald": 0, "Spät": 2}


async def test_level_three_puts_the_patron_on_the_staff_list(teacher_anna, volunteer_ben, today):
    await lend_new_title(teacher_anna.patron_id, today - timedelta(days=28), title="Koffer")
    await lend_new_title(volunteer_ben.patron_id, today - timedelta(days=14))
    await create_reminders(today)
    [entry] = await level_three_patrons()
    assert entry["patron_id"] == teacher_anna.patron_id
    assert entry["items"][0]["title"] == "Koffer"


async def test_a_patron_in_english_gets_an_english_notice(volunteer_ben, today):
    await lend_new_title(volunteer_ben.patron_id, today - timedelta(days=7))
    await create_reminders(today)
    [notice] = await notices()
    patron = await Patron.select(Patron.email).where(Patron.id == volunteer_ben.patron_id).first()
    assert notice["language"] == "en"
    assert notice["recipient"] == patron["email"]


def test_a_long_item_list_gets_a_digest_in_its_key_not_a_cut(today):
    from mediathek.notifications.outbox import notice_key

    many = range(1000, 1100)
    key = notice_key(NotificationKind.overdue, 7, today, *many, level=1)
    other = notice_key(NotificationKind.overdue, 7, today, *many, 5, level=1)
    assert len(key) <= 200 and key != other
