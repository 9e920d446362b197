import asyncio
from datetime import UTC, date, datetime, timedelta

from mediathek.circulation.tables import Loan
from mediathek.db import write_transaction
from mediathek.patrons.tables import Account, Patron
from mediathek.reports.privacy import (
    anonymise_loans_of_patron,
    anonymise_returned_loans,
    inactive_patrons,
    run_daily,
)
from mediathek.site_settings import set_setting
from tests.factories import LONG_AGO, add_copy, add_loan, add_title


async def loan_patrons() -> dict[int, int | None]:
    return {r["id"]: r["patron"] for r in await Loan.select(Loan.id, Loan.patron)}


async def test_returned_loans_lose_their_patron_after_the_set_days(today, teacher_anna):
    copy_id, _ = await add_copy(await add_title("Bildkarten", copies=(), created_at=LONG_AGO))
    anna = teacher_anna.patron_id
    old = await add_loan(copy_id, anna, date(2026, 1, 2), date(2026, 2, 1))  # 37 days ago
    recent = await add_loan(copy_id, anna, date(2026, 2, 2), date(2026, 2, 20))
    still_out = await add_loan(copy_id, anna, date(2025, 12, 1), None)
    assert await anonymise_returned_loans(today) == 1
    patrons = await loan_patrons()
    assert patrons == {old: None, recent: anna, still_out: anna}
    kept = await Loan.select().where(Loan.id == old).first()
    assert kept["anonymised_at"] is not None
    assert kept["patron_category"] == "paid_teacher" and kept["media_type"] == "book"
    assert kept["loaned_on"] == date(2026, 1, 2)


async def test_the_number_of_days_comes_from_the_setting(today, teacher_anna):
    copy_id, _ = await add_copy(await add_title("Bildkarten", copies=(), created_at=LONG_AGO))
    loan = await add_loan(copy_id, teacher_anna.patron_id, date(2026, 2, 2), date(2026, 2, 20))
    await set_setting("anonymise_after_days", 10)
    assert await anonymise_returned_loans(today) == 1
    assert (await loan_patrons())[loan] is None


async def test_a_patron_who_opted_in_keeps_the_history(today, teacher_anna, volunteer_ben):
    await Patron.update({Patron.keep_history: True}).where(Patron.id == teacher_anna.patron_id)
    copy_id, _ = await add_copy(await add_title("Bildkarten", copies=(), created_at=LONG_AGO))
    annas = await add_loan(copy_id, teacher_anna.patron_id, date(2025, 1, 2), date(2025, 2, 1))
    bens = await add_loan(copy_id, volunteer_ben.patron_id, date(2025, 3, 2), date(2025, 3, 9))
    assert await anonymise_returned_loans(today) == 1
    assert await loan_patrons() == {annas: teacher_anna.patron_id, bens: None}


async def test_running_the_job_again_changes_nothing(today, teacher_anna):
    copy_id, _ = await add_copy(await add_title("Bildkarten", copies=(), created_at=LONG_AGO))
    for month in range(1, 11):
        await add_loan(copy_id, teacher_anna.patron_id, date(2025, month, 1), date(2025, month, 5))
    assert await anonymise_returned_loans(today, batch=3) == 10
    before = await Loan.select(Loan.id, Loan.anonymised_at).order_by(Loan.id)
    assert await anonymise_returned_loans(today, batch=3) == 0
    assert (await run_daily(today)) == {"anonymised_loans": 0}
    assert await Loan.select(Loan.id, Loan.anonymised_at).order_by(Loan.id) == before


async def test_a_patron_to_be_deleted_has_all_returned_loans_anonymised_first(teacher_anna):
    await Patron.update({Patron.keep_history: True}).where(Patron.id == teacher_anna.patron_id)
    copy_id, _ = await add_copy(await add_title("Bildkarten", copies=(), created_at=LONG_AGO))
    returned = await add_loan(copy_id, teacher_anna.patron_id, date(2026, 3, 1), date(2026, 3, 2))
    out = await add_loan(copy_id, teacher_anna.patron_id, date(2026, 3, 3), None)
    assert await anonymise_loans_of_patron(teacher_anna.patron_id) == 1
    assert await loan_patrons() == {returned: None, out: teacher_anna.patron_id}


async def test_the_job_runs_safely_while_the_desk_is_busy(today, teacher_anna, volunteer_ben):
    """Anonymisation, check-outs, renewals and returns at the same time: no error, and
    every desk change survives."""
    title = await add_title("Bildkarten", copies=(), created_at=LONG_AGO)
    copies = [(await add_copy(title))[0] for _ in range(11)]
    anna, ben = teacher_anna.patron_id, volunteer_ben.patron_id
    old = [
        await add_loan(
            copies[i % 6], anna, date(2025, 6, 1) + timedelta(days=i % 25), date(2025, 7, 1)
        )
        for i in range(40)
    ]
    open_loans = [await add_loan(copies[i], ben, date(2026, 3, 1), None) for i in range(6)]

    async def renew_and_return(loan_id: int) -> None:
        for _ in range(3):
            async with write_transaction():
                row = await Loan.select(Loan.renewals).where(Loan.id == loan_id).first()
                await Loan.update({Loan.renewals: row["renewals"] + 1}).where(Loan.id == loan_id)
            await asyncio.sleep(0)
        async with write_transaction():
            await Loan.update({Loan.returned_at: datetime.now(UTC)}).where(Loan.id == loan_id)

    async def check_out_more() -> list[int]:
        return [await add_loan(copies[6 + i], anna, date(2026, 3, 10), None) for i in range(5)]

    results = await asyncio.gather(
        anonymise_returned_loans(today, batch=7),
        *(renew_and_return(loan_id) for loan_id in open_loans),
        check_out_more(),
        anonymise_returned_loans(today, batch=5),
    )
    assert results[0] + results[-1] == len(old)
    rows = {r["id"]: r for r in await Loan.select()}
    assert all(rows[i]["patron"] is None for i in old)
    for loan_id in open_loans:
        assert rows[loan_id]["renewals"] == 3
        assert rows[loan_id]["returned_at"] is not None
        assert rows[loan_id]["patron"] == ben  # returned today: kept for now
    assert all(rows[i]["patron"] == anna for i in results[-2])


async def test_inactive_patrons_are_listed_for_deletion(
    today, teacher_anna, volunteer_ben, kita_sonnenschein
):
    long_ago = datetime(2022, 1, 1, tzinfo=UTC)
    await Patron.update({Patron.created_at: long_ago, Patron.last_activity_at: long_ago}).where(
        Patron.id.is_not_null()
    )
    copy_id, _ = await add_copy(await add_title("Bildkarten", copies=(), created_at=LONG_AGO))
    # Ben borrowed last year (anonymised since): still active.
    await add_loan(copy_id, volunteer_ben.patron_id, date(2025, 5, 1), date(2025, 5, 10))
    await anonymise_returned_loans(today)
    # The Kita logged in recently.
    await Account.update({Account.last_login_at: datetime(2026, 1, 5, tzinfo=UTC)}).where(
        Account.patron == kita_sonnenschein.patron_id
    )
    found = await inactive_patrons(today)
    assert [p.id for p in found] == [teacher_anna.patron_id]
    assert found[0].name == "Anna Berger"
    # A patron with something still on loan is never a candidate.
    await add_loan(copy_id, teacher_anna.patron_id, date(2021, 5, 1), None)
    assert await inactive_patrons(today) == []
    await set_setting("inactive_after_years", 5)
    assert await inactive_patrons(today + timedelta(days=1)) == []
