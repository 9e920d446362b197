"""Each item is announced once per due date and stage, whichever digest carried it.

A patron reads e-mails, not outbox rows: the runs of several days are delivered to a real SMTP
server and the mails that name an item are counted.
"""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from mediathek.circulation.services import renew
from mediathek.circulation.tables import Loan
from mediathek.notifications.delivery import deliver_outbox
from mediathek.notifications.reminders import create_reminders
from mediathek.notifications.tables import LoanNotice, Notification
from tests.factories import lend_new_title


async def run_days(first, days: int, mail_settings) -> None:
    for offset in range(days):
        await create_reminders(first + timedelta(days=offset))
        await deliver_outbox(mail_settings)


def mails_naming(smtp_server, address: str, barcode: str) -> list:
    return [
        m for m in smtp_server.inbox.to(address) if barcode in m.get_body(("plain",)).get_content()
    ]


async def test_a_due_soon_item_in_an_overdue_digest_is_not_mailed_again_the_next_day(
    teacher_anna, mail_settings, smtp_server, today
):
    late = await lend_new_title(
        teacher_anna.patron_id, today - timedelta(days=7), title="Memo Tiere"
    )
    soon = await lend_new_title(
        teacher_anna.patron_id, today + timedelta(days=3), title="Tiptoi Wörter"
    )
    await run_days(today, 4, mail_settings)  # the due date is the fourth day
    [digest] = smtp_server.inbox.to(teacher_anna.email)
    assert "1. Mahnung" in digest["Subject"]
    assert mails_naming(smtp_server, teacher_anna.email, soon["barcode"]) == [digest]
    assert mails_naming(smtp_server, teacher_anna.email, late["barcode"]) == [digest]
    # What was told, item by item: the due-soon item counts as told by the overdue digest.
    told = await LoanNotice.select(LoanNotice.loan, LoanNotice.due_on, LoanNotice.level).order_by(
        LoanNotice.level
    )
    assert told == [
        {"loan": soon["loan_id"], "due_on": today + timedelta(days=3), "level": 0},
        {"loan": late["loan_id"], "due_on": today - timedelta(days=7), "level": 1},
    ]


async def test_a_renewal_announces_the_new_due_date_once(
    teacher_anna, mail_settings, smtp_server, today
):
    loan = await lend_new_title(
        teacher_anna.patron_id, today + timedelta(days=3), title="Tiptoi Wörter"
    )
    await run_days(today, 2, mail_settings)
    assert len(mails_naming(smtp_server, teacher_anna.email, loan["barcode"])) == 1
    renewed = await renew(loan["loan_id"], today=today + timedelta(days=1), staff_id=None)
    # Nothing until the new due date comes near, then one notice for it, then nothing again.
    window = (renewed.due_on - today).days - 5  # days before the window opens
    await run_days(today + timedelta(days=2), window, mail_settings)
    assert len(mails_naming(smtp_server, teacher_anna.email, loan["barcode"])) == 1
    await run_days(today + timedelta(days=2 + window), 4, mail_settings)
    mails = mails_naming(smtp_server, teacher_anna.email, loan["barcode"])
    assert len(mails) == 2
    assert renewed.due_on.strftime("%d.%m.%Y") in mails[1].get_body(("plain",)).get_content()


async def test_an_overdue_item_is_told_each_next_level_once(
    teacher_anna, mail_settings, smtp_server, today
):
    late = await lend_new_title(
        teacher_anna.patron_id, today - timedelta(days=7), title="Memo Tiere"
    )
    soon = await lend_new_title(
        teacher_anna.patron_id, today + timedelta(days=3), title="Tiptoi Wörter"
    )
    await run_days(today, 22, mail_settings)  # "Memo Tiere" from 7 to 28 days late
    subjects = [
        m["Subject"] for m in mails_naming(smtp_server, teacher_anna.email, late["barcode"])
    ]
    assert [s.split(":")[0] for s in subjects] == ["1. Mahnung", "2. Mahnung", "Letzte Mahnung"]
    # Both items went through their stages one by one, each stage told once.
    told = await LoanNotice.select(LoanNotice.loan, LoanNotice.level).order_by(
        LoanNotice.loan, LoanNotice.level
    )
    assert [(t["loan"], t["level"]) for t in told] == [
        (late["loan_id"], 1),
        (late["loan_id"], 2),
        (late["loan_id"], 3),
        (soon["loan_id"], 0),
        (soon["loan_id"], 1),
        (soon["loan_id"], 2),
    ]
    # Five digests: every one of them told something new.
    assert await Notification.count() == 5


async def test_what_was_told_about_returned_loans_is_forgotten(teacher_anna, today):
    kept = await lend_new_title(teacher_anna.patron_id, today - timedelta(days=7))
    back = await lend_new_title(teacher_anna.patron_id, today + timedelta(days=3))
    await create_reminders(today)
    assert await LoanNotice.count() == 2
    returned = datetime.combine(today, time(10), UTC)
    await Loan.update({Loan.returned_at: returned}).where(Loan.id == back["loan_id"])
    # A return can still be undone the same day; two days later the record is not needed.
    await create_reminders(today + timedelta(days=1))
    assert await LoanNotice.count() == 2
    await create_reminders(today + timedelta(days=2))
    assert [r["loan"] for r in await LoanNotice.select(LoanNotice.loan)] == [kept["loan_id"]]


def _backfill_migration():
    path = next(Path("migrations").glob("mediathek_2026_11_28t05_01_30_*.py"))
    spec = importlib.util.spec_from_file_location("loan_notice_backfill", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_items_told_before_the_update_are_not_announced_again(db, teacher_anna, today):
    late = await lend_new_title(
        teacher_anna.patron_id, today - timedelta(days=7), title="Memo Tiere"
    )
    soon = await lend_new_title(
        teacher_anna.patron_id, today + timedelta(days=3), title="Tiptoi Wörter"
    )
    await create_reminders(today)
    # As a database from before the record existed: the outbox only, nothing recorded.
    await LoanNotice.delete(force=True)
    await db.run_ddl("DROP INDEX loan_notice_once")
    manager = await _backfill_migration().forwards()
    for step in manager.raw:
        await step()
    told = await LoanNotice.select(LoanNotice.loan, LoanNotice.level).order_by(LoanNotice.level)
    assert told == [{"loan": soon["loan_id"], "level": 0}, {"loan": late["loan_id"], "level": 1}]
    assert (await create_reminders(today + timedelta(days=1)))["digests"] == 0
    assert await Loan.count() == 2
