"""Sixty days of the demo library: every item is announced once per due date and stage.

The run uses the real services day by day: staff renew some overdue loans at the desk (the
case where an item is due soon while the patron's other loans are overdue), some loans come
back, new ones go out, and the reminder job plans that day's digests. Afterwards every
announcement in the outbox — each item of every due-soon notice and overdue reminder — is
counted by (loan, due date, stage); a second one of the same is a duplicate e-mail.
"""

from __future__ import annotations

import contextlib
import random
from collections import Counter
from datetime import date, datetime, timedelta

from mediathek.catalogue.tables import Copy, CopyStatus
from mediathek.circulation import policy as circulation_policy
from mediathek.circulation.services import checkin, checkout, renew
from mediathek.circulation.tables import Loan
from mediathek.demo import load_demo
from mediathek.notifications.kinds import LOAN_DIGEST_KINDS
from mediathek.notifications.reminders import create_reminders
from mediathek.notifications.tables import Notification
from mediathek.patrons.tables import Patron

DAYS = 60


async def desk_day(rng: random.Random, day: date) -> None:
    """What the desk does on one day, before the morning's reminder run of the next."""
    loans = (
        await Loan.select(Loan.id, Loan.due_on, Loan.copy.barcode.as_alias("barcode"))
        .where(Loan.returned_at.is_null())
        .order_by(Loan.id)
    )
    for loan in loans:
        roll = rng.random()
        try:
            if loan["due_on"] < day and roll < 0.15:
                await renew(loan["id"], today=day, staff_id=None)
            elif roll < 0.04:
                await checkin(loan["barcode"], today=day, staff_id=None, missing_components=[])
        except circulation_policy.RenewalRefused:
            pass
    cards = await Patron.select(Patron.card_barcode).order_by(Patron.id)
    patrons = [p["card_barcode"] for p in cards]
    shelf = [
        c["barcode"]
        for c in await Copy.select(Copy.barcode)
        .where(Copy.status == CopyStatus.available)
        .order_by(Copy.id)
    ]
    for barcode in rng.sample(shelf, min(2, len(shelf))):
        # Refusals (loan limit, a patron at level 2) are the desk's normal day too.
        with contextlib.suppress(circulation_policy.CheckoutRefused):
            await checkout(rng.choice(patrons), barcode, today=day, staff_id=None)


async def simulate(settings, days: int = DAYS, seed: int = 20) -> dict:
    await load_demo(settings)
    start = datetime.now(settings.tz).date()  # the demo's loans are dated from today
    rng = random.Random(seed)
    for offset in range(days):
        day = start + timedelta(days=offset)
        await create_reminders(day)
        await desk_day(rng, day)
    announced: Counter = Counter()
    notices = (
        await Notification.select(Notification.kind, Notification.payload)
        .order_by(Notification.id)
        .output(load_json=True)
    )
    for notice in notices:
        if notice["kind"] in LOAN_DIGEST_KINDS:
            for item in notice["payload"]["items"]:
                announced[(item["loan_id"], item["due_on"], item["level"])] += 1
    return {
        "notices": sum(1 for n in notices if n["kind"] in LOAN_DIGEST_KINDS),
        "announcements": sum(announced.values()),
        "duplicates": sum(n - 1 for n in announced.values()),
        "stages": Counter(level for _, _, level in announced),
        "repeated": sorted(item for item, n in announced.items() if n > 1),
    }


async def test_sixty_days_of_the_demo_library_announce_every_item_once(db, settings):
    figures = await simulate(settings)
    print(f"\n60 Tage Demo-Bibliothek: {figures}")
    # The run is worth something only if it holds due-soon items and several overdue levels.
    assert figures["stages"][0] > 5 and figures["stages"][1] > 5 and figures["stages"][2] > 0
    assert figures["duplicates"] == 0
