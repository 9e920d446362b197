"""A copy is never lent twice, however many desks scan it at the same moment."""

import asyncio

from mediathek.catalogue.tables import Copy, CopyStatus
from mediathek.circulation import services
from mediathek.circulation.policy import CheckoutRefused
from mediathek.circulation.tables import Loan
from mediathek.vocab import PatronCategory
from tests.factories import make_persona, title_with_copies


async def borrowers(n: int) -> list[str]:
    return [
        (await make_persona(f"Leser{i} Test", None, PatronCategory.volunteer_teacher)).card
        for i in range(n)
    ]


async def test_fifty_concurrent_checkouts_of_one_copy_leave_exactly_one_loan(db, today):
    _, [code] = await title_with_copies()
    cards = await borrowers(50)
    results = await asyncio.gather(
        *[services.checkout(card, code, today=today, staff_id=None) for card in cards],
        return_exceptions=True,
    )
    won = [r for r in results if isinstance(r, services.CheckoutResult)]
    refused = [r for r in results if isinstance(r, CheckoutRefused)]
    assert len(won) == 1 and len(refused) == 49, [
        r for r in results if not isinstance(r, (services.CheckoutResult, CheckoutRefused))
    ]
    assert await Loan.count().where(Loan.returned_at.is_null()) == 1


async def test_checkouts_racing_a_return_never_leave_two_open_loans(db, today):
    _, [code] = await title_with_copies()
    cards = await borrowers(31)
    await services.checkout(cards[0], code, today=today, staff_id=None)
    tasks = [services.checkin(code, today=today, staff_id=None)]
    tasks += [services.checkout(card, code, today=today, staff_id=None) for card in cards[1:]]
    results = await asyncio.gather(*tasks, return_exceptions=True)
    unexpected = [
        r for r in results if isinstance(r, Exception) and not isinstance(r, CheckoutRefused)
    ]
    assert not unexpected
    open_loans = await Loan.count().where(Loan.returned_at.is_null())
    assert open_loans <= 1
    status = (await Copy.select(Copy.status).first())["status"]
    assert (status == CopyStatus.on_loan) == (open_loans == 1)
