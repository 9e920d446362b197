"""Entering a closure: the dates that fall inside it move to the next opening day.

Due dates of open loans, pickup deadlines of holds on the shelf and first days of bookings
that now lie on a closed day move forward, in the same transaction as the closure, and each
borrower concerned gets one notice listing her new dates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from mediathek.circulation import policy
from mediathek.circulation.tables import Loan
from mediathek.db import write_transaction
from mediathek.i18n import _, ngettext
from mediathek.notifications.outbox import enqueue, notice_key
from mediathek.notifications.tables import NotificationKind
from mediathek.opening_calendar import Moved, add_closure, load_calendar, moved_day
from mediathek.reservations import hooks


@dataclass
class ClosureResult:
    closure_id: int
    moved: list[Moved] = field(default_factory=list)

    def count(self, what: str) -> int:
        return sum(1 for m in self.moved if m.what == what)

    @property
    def summary(self) -> str:
        return moved_summary(
            self.count("due_on"), self.count("pickup_until"), self.count("booking_start")
        )


def moved_summary(loans: int, holds: int, bookings: int) -> str:
    """For staff: what a closure moved, e.g. "… verschoben: 3 Rückgabedaten, 1 Abholfrist,
    0 Reservierungsbeginne"."""
    counts = {
        "loans": ngettext("%(num)s Rückgabedatum", "%(num)s Rückgabedaten", loans) % {"num": loans},
        "holds": ngettext("%(num)s Abholfrist", "%(num)s Abholfristen", holds) % {"num": holds},
        "bookings": ngettext(
            "%(num)s Reservierungsbeginn", "%(num)s Reservierungsbeginne", bookings
        )
        % {"num": bookings},
    }
    return (
        _(
            "Schließzeit eingetragen. Auf den nächsten Öffnungstag verschoben: %(loans)s, "
            "%(holds)s, %(bookings)s. Die Ausleihenden bekommen eine E-Mail mit ihren neuen "
            "Terminen."
        )
        % counts
    )


async def close(start_on: date, end_on: date, label: str, *, today: date) -> ClosureResult:
    """Enter a closure and move what falls inside it; borrowers are told by a notice."""
    async with write_transaction():
        closure_id = await add_closure(start_on, end_on, label)
        calendar = await load_calendar(today)
        first = max(start_on, today)
        moved = await _move_due_dates(calendar, first, end_on, label)
        moved += await hooks.move_out_of_closure(calendar, first, end_on)
        await _tell_borrowers(moved, closure_id, label, today)
    return ClosureResult(closure_id, moved)


async def _move_due_dates(calendar, first: date, last: date, label: str) -> list[Moved]:
    loans = await Loan.select(
        Loan.id, Loan.patron, Loan.due_on, Loan.title.title.as_alias("title_name")
    ).where(Loan.returned_at.is_null(), Loan.due_on >= first, Loan.due_on <= last)
    moved = []
    for loan in loans:
        new = moved_day(calendar, loan["due_on"])
        if new is None:
            continue
        # Conditional on the date read: a renewal or return meanwhile wins.
        done = (
            await Loan.update({Loan.due_on: new, Loan.due_reason: policy.closure_reason(label)})
            .where(Loan.id == loan["id"], Loan.due_on == loan["due_on"], Loan.returned_at.is_null())
            .returning(Loan.id)
        )
        if done:
            moved.append(Moved(loan["patron"], "due_on", loan["title_name"], loan["due_on"], new))
    return moved


async def _tell_borrowers(moved: list[Moved], closure_id: int, label: str, today: date) -> None:
    by_patron: dict[int, list[Moved]] = {}
    for m in moved:
        if m.patron_id is not None:  # an anonymised loan has nobody to tell
            by_patron.setdefault(m.patron_id, []).append(m)
    for patron_id, items in by_patron.items():
        await enqueue(
            NotificationKind.dates_moved,
            key=notice_key(NotificationKind.dates_moved, patron_id, today, f"closure{closure_id}"),
            patron_id=patron_id,
            payload={
                "closure": label,
                "items": [
                    {
                        "title": m.title,
                        "what": m.what,
                        "old": m.old.isoformat(),
                        "new": m.new.isoformat(),
                    }
                    for m in items
                ],
            },
        )
