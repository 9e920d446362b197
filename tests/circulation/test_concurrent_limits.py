"""Every limit holds when many requests check it at the same moment (SQLite and PostgreSQL).

PostgreSQL's BEGIN takes no lock, so each check-then-write here would let several requests
pass a check that only one (or N) may pass, unless it locks the row that owns the fact.
"""

import asyncio
from dataclasses import dataclass
from datetime import date

from mediathek.audit import AuditLog
from mediathek.catalogue.tables import Copy, CopyStatus
from mediathek.circulation import services
from mediathek.circulation.policy import CheckoutRefused, RenewalRefused
from mediathek.circulation.tables import CategoryLimit, Loan, LoanRule
from mediathek.errors import Conflict
from mediathek.patrons import registration
from mediathek.patrons.inputs import Registration
from mediathek.patrons.tables import Account, Patron
from mediathek.reports.stocktake import apply_stocktake, record_scan, start_stocktake
from mediathek.reservations import hooks
from mediathek.reservations.services import (
    ReservationRefused,
    book,
    cancel_hold,
    place_hold,
)
from mediathek.reservations.tables import Booking, Hold, HoldStatus
from mediathek.vocab import MediaType
from tests.factories import give_back, lend, title_with_copies, title_with_copy_ids


async def gather(*calls):
    return await asyncio.gather(*calls, return_exceptions=True)


def split(results, refused: type[Exception]):
    ok = [r for r in results if not isinstance(r, BaseException)]
    no = [r for r in results if isinstance(r, refused)]
    other = [r for r in results if isinstance(r, BaseException) and not isinstance(r, refused)]
    assert not other, other
    return ok, no


async def test_twenty_renewals_of_one_loan_at_once_renew_it_exactly_max_times(teacher_anna, today):
    await LoanRule.insert(
        LoanRule(
            patron_category="paid_teacher",
            media_type=MediaType.game,
            loan_days=14,
            max_renewals=2,
        )
    )
    _, [copy_id] = await title_with_copy_ids(1)
    loan_id = await lend(copy_id, teacher_anna.patron_id, today, due_on=today)
    results = await gather(
        *[services.renew(loan_id, today=today, staff_id=None) for _ in range(20)]
    )
    renewed, refused = split(results, RenewalRefused)
    assert (len(renewed), len(refused)) == (2, 18)
    loan = await Loan.select(Loan.renewals, Loan.due_on).where(Loan.id == loan_id).first()
    assert loan["renewals"] == 2
    assert loan["due_on"] == max(r.due_on for r in renewed)
    assert await AuditLog.count().where(AuditLog.action == "loan.renew") == 2


async def test_twenty_holds_at_once_by_one_patron_stop_at_the_hold_limit(teacher_anna, today):
    await CategoryLimit.insert(CategoryLimit(patron_category="paid_teacher", max_holds=3))
    titles = [(await title_with_copy_ids(1, f"Titel {i}"))[0] for i in range(20)]
    results = await gather(*[place_hold(teacher_anna.patron_id, t, today) for t in titles])
    placed, refused = split(results, ReservationRefused)
    assert (len(placed), len(refused)) == (3, 17)
    assert await Hold.count().where(Hold.patron == teacher_anna.patron_id) == 3


async def test_ten_holds_at_once_on_one_title_by_one_patron_leave_one(teacher_anna, today):
    title_id, _ = await title_with_copy_ids(1)
    results = await gather(
        *[place_hold(teacher_anna.patron_id, title_id, today) for _ in range(10)]
    )
    placed, refused = split(results, ReservationRefused)
    assert (len(placed), len(refused)) == (1, 9)
    assert await Hold.count() == 1


async def test_checkouts_to_one_patron_at_once_stop_at_the_loan_limit(teacher_anna, today):
    await CategoryLimit.insert(CategoryLimit(patron_category="paid_teacher", max_loans=3))
    codes = [(await title_with_copies(f"Titel {i}"))[1][0] for i in range(12)]
    results = await gather(
        *[services.checkout(teacher_anna.card, c, today=today, staff_id=None) for c in codes]
    )
    lent, refused = split(results, CheckoutRefused)
    assert (len(lent), len(refused)) == (3, 9)
    assert await Loan.count().where(Loan.returned_at.is_null()) == 3
    on_loan = await Copy.count().where(Copy.status == CopyStatus.on_loan)
    assert on_loan == 3  # refused checkouts gave their copy back


async def test_copies_returned_at_once_serve_each_waiting_hold_once(
    teacher_anna, volunteer_ben, kita_sonnenschein, today
):
    title_id, copies = await title_with_copy_ids(4)
    for copy_id in copies:
        await lend(copy_id, kita_sonnenschein.patron_id, today)
    first = await place_hold(teacher_anna.patron_id, title_id, today)
    second = await place_hold(volunteer_ben.patron_id, title_id, today)
    for copy_id in copies:
        await give_back(copy_id)
    results = await gather(*[hooks.on_return(c, today) for c in copies])
    assert not [r for r in results if isinstance(r, BaseException)], results
    holds = await Hold.select(Hold.id, Hold.status, Hold.copy).order_by(Hold.id)
    assert [h["id"] for h in holds] == [first.hold_id, second.hold_id]
    assert all(h["status"] == HoldStatus.ready for h in holds)
    assert holds[0]["copy"] != holds[1]["copy"]
    statuses = sorted([await copy_status_of(c) for c in copies])
    assert statuses == ["available", "available", "on_hold_shelf", "on_hold_shelf"]
    shelf = {c["id"] for c in await Copy.select(Copy.id).where(Copy.status == "on_hold_shelf")}
    assert shelf == {h["copy"] for h in holds}


async def copy_status_of(copy_id: int) -> str:
    return (await Copy.select(Copy.status).where(Copy.id == copy_id).first())["status"]


async def test_a_hold_cancelled_while_its_copy_comes_back_leaves_no_copy_stranded(
    teacher_anna, kita_sonnenschein, today
):
    title_id, [copy_id] = await title_with_copy_ids(1)
    await lend(copy_id, kita_sonnenschein.patron_id, today)
    hold = await place_hold(teacher_anna.patron_id, title_id, today)
    await give_back(copy_id)
    await gather(
        hooks.on_return(copy_id, today), cancel_hold(hold.hold_id, teacher_anna.patron_id, today)
    )
    row = await Hold.select(Hold.status).where(Hold.id == hold.hold_id).first()
    assert row["status"] == HoldStatus.cancelled
    assert await copy_status_of(copy_id) == CopyStatus.available


async def test_one_teacher_booking_one_title_twice_at_once_gets_one_booking(teacher_anna, today):
    title_id, _ = await title_with_copy_ids(3)
    results = await gather(
        *[
            book(teacher_anna.patron_id, title_id, date(2026, 3, 16), date(2026, 3, 20), today)
            for _ in range(6)
        ]
    )
    booked, refused = split(results, ReservationRefused)
    assert (len(booked), len(refused)) == (1, 5)
    assert await Booking.count() == 1


@dataclass
class StaffActor:
    account_id: int
    display_name: str


async def test_two_staff_approving_one_registration_at_once_approve_it_once(
    db, staff, admin, today
):
    row = await Patron.insert(
        Patron(first_name="Lena", last_name="Vogel", category="volunteer_teacher", status="pending")
    ).returning(Patron.id)
    patron_id = row[0]["id"]
    actors = [StaffActor(staff.account_id, staff.name), StaffActor(admin.account_id, admin.name)]
    results = await gather(
        *[
            registration.approve(
                patron_id, actor=a, today=today, card_prefix="K", base_url="http://x"
            )
            for a in actors * 3
        ]
    )
    approved, refused = split(results, Conflict)
    assert (len(approved), len(refused)) == (1, 5)
    card = await Patron.select(Patron.card_barcode).where(Patron.id == patron_id).first()
    assert card["card_barcode"] == approved[0]


async def test_a_stocktake_applied_twice_at_once_is_applied_once(db, staff, today):
    _, [code] = await title_with_copies("Verschollen")
    await Copy.update({Copy.shelf_mark: "SPI 1"}).where(Copy.barcode == code)
    stocktake = await start_stocktake("Spiele", ["SPI"], None)
    results = await gather(*[apply_stocktake(stocktake, today, staff.account_id) for _ in range(4)])
    applied, refused = split(results, Conflict)
    assert (applied, len(refused)) == ([1], 3)
    assert await AuditLog.count().where(AuditLog.action == "stocktake_applied") == 1


async def test_one_barcode_scanned_many_times_at_once_is_noted_once(db, today):
    _, [code] = await title_with_copies("Doppelt")
    stocktake = await start_stocktake("Spiele", ["SPI"], None)
    results = await gather(*[record_scan(stocktake, code) for _ in range(8)])
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert sorted(r.outcome for r in results) == ["again"] * 7 + ["seen"]


async def test_a_hold_and_a_checkout_for_one_patron_at_once_neither_deadlock_nor_fail(
    teacher_anna, today
):
    for n in range(8):
        title_id, [code] = await title_with_copies(f"Gleichzeitig {n}")
        results = await gather(
            place_hold(teacher_anna.patron_id, title_id, today),
            services.checkout(teacher_anna.card, code, today=today, staff_id=None),
        )
        unexpected = [
            r
            for r in results
            if isinstance(r, BaseException)
            and not isinstance(r, ReservationRefused | CheckoutRefused)
        ]
        assert not unexpected, unexpected
        assert isinstance(results[1], services.CheckoutResult)  # her own hold never blocks her


async def test_one_address_registered_many_times_at_once_gets_one_account(db, today):
    form = {
        "first_name": "Lena",
        "last_name": "Vogel",
        "category": "volunteer_teacher",
        "email": "lena.vogel@example.org",
        "preferred_language": "de",
        "password": "ganz-neues-passwort-7",
        "password_repeat": "ganz-neues-passwort-7",
        "privacy_consent": True,
    }
    results = await gather(
        *[registration.register(Registration(**form), today=today) for _ in range(6)]
    )
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert sum(r is not None for r in results) == 1
    assert await Account.count() == 1 and await Patron.count() == 1
