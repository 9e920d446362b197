"""Objects owned by teacher_anna (a loan, a hold, a booking …) for access-rule tests.

Later areas add routes with path parameters such as ``{loan_id:int}``; ``path_values``
maps each known parameter name to an object of anna's, so the route matrix covers those
routes without being edited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from mediathek.catalogue.tables import Copy, CopyStatus, Title
from mediathek.circulation.tables import Loan
from mediathek.passwords import token_digest
from mediathek.patrons.tables import ApiToken
from mediathek.reservations.tables import Booking, Hold


@dataclass
class AnnasThings:
    title_id: int
    copy_id: int
    loan_id: int
    hold_id: int
    booking_id: int
    returned_loan_id: int
    token_id: int
    loan_title: str


async def annas_things(anna, staff, today: date) -> AnnasThings:
    title = await Title.insert(
        Title(title="Wimmelbuch Stadt (Annas Ausleihe)", media_type="picture_book")
    ).returning(Title.id)
    other = await Title.insert(
        Title(title="Memo Tiere (Annas Vormerkung)", media_type="game")
    ).returning(Title.id)
    title_id, other_id = title[0]["id"], other[0]["id"]
    copies = await Copy.insert(
        Copy(title=title_id, barcode="M0000018", status=CopyStatus.on_loan),
        Copy(title=title_id, barcode="M0000026"),
        Copy(title=other_id, barcode="M0000034"),
    ).returning(Copy.id)
    loan_common = dict(
        title=title_id,
        patron=anna.patron_id,
        patron_category="paid_teacher",
        media_type="picture_book",
    )
    loan = await Loan.insert(
        Loan(
            copy=copies[0]["id"], loaned_on=today, due_on=today + timedelta(days=28), **loan_common
        )
    ).returning(Loan.id)
    returned = await Loan.insert(
        Loan(
            copy=copies[1]["id"],
            loaned_on=today - timedelta(days=40),
            due_on=today - timedelta(days=12),
            returned_at=datetime(2026, 2, 20, 10, tzinfo=UTC),
            **loan_common,
        )
    ).returning(Loan.id)
    hold = await Hold.insert(Hold(title=other_id, patron=anna.patron_id)).returning(Hold.id)
    booking = await Booking.insert(
        Booking(
            title=title_id,
            patron=anna.patron_id,
            copy=copies[1]["id"],
            start_on=today + timedelta(days=30),
            end_on=today + timedelta(days=35),
        )
    ).returning(Booking.id)
    token = await ApiToken.insert(
        ApiToken(account=staff.account_id, name="Skript", token_hash=token_digest("t" * 40))
    ).returning(ApiToken.id)
    return AnnasThings(
        title_id=title_id,
        copy_id=copies[0]["id"],
        loan_id=loan[0]["id"],
        hold_id=hold[0]["id"],
        booking_id=booking[0]["id"],
        returned_loan_id=returned[0]["id"],
        token_id=token[0]["id"],
        loan_title="Wimmelbuch Stadt (Annas Ausleihe)",
    )


def path_values(things: AnnasThings, anna) -> dict[str, object]:
    return {
        "patron_id": anna.patron_id,
        "account_id": anna.account_id,
        "title_id": things.title_id,
        "copy_id": things.copy_id,
        "loan_id": things.loan_id,
        "hold_id": things.hold_id,
        "booking_id": things.booking_id,
        "token_id": things.token_id,
    }
