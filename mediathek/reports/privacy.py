"""Data protection jobs (DESIGN §3 "Privacy"): anonymise returned loans, find inactive patrons.

The anonymisation runs while the desk is busy, so it works in small batches, each in its own
short write transaction, and its UPDATE re-checks every condition: a loan changed by the desk
between our read and our write is simply left for the next run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from mediathek.audit import Actor
from mediathek.circulation.tables import Loan
from mediathek.clock import now
from mediathek.db import current_engine, is_sqlite, write_transaction
from mediathek.errors import InvalidInput
from mediathek.i18n import N_, _
from mediathek.patrons.tables import Account, Patron
from mediathek.reports.statistics import BORROWERS_KEY
from mediathek.site_settings import get_setting, set_setting

BATCH = 200
BERLIN = ZoneInfo("Europe/Berlin")
# Any constant: the PostgreSQL advisory lock that serialises the borrower tally's updates.
TALLY_LOCK = 8_311_742


def anonymise_cutoff(today: date, days: int, tz: ZoneInfo = BERLIN) -> datetime:
    """Loans returned before this moment are anonymised (``days`` whole days after return)."""
    return datetime.combine(today - timedelta(days=days), time.min, tz)


async def anonymise_returned_loans(today: date, batch: int = BATCH) -> int:
    """Unlink returned loans older than the setting ``anonymise_after_days`` from their patron,
    unless the patron opted in to keep a history. Returns how many loans were anonymised;
    running it again the same day anonymises nothing more."""
    days = int(await get_setting("anonymise_after_days"))
    cutoff = anonymise_cutoff(today, days)
    # Opted-in patrons are few: excluding their ids avoids a join per batch.
    keep = [r["id"] for r in await Patron.select(Patron.id).where(Patron.keep_history.eq(True))]
    conditions = [Loan.returned_at.is_not_null(), Loan.returned_at < cutoff]
    if keep:
        conditions.append(Loan.patron.not_in(keep))
    total = 0
    while True:
        done = await _anonymise_batch(conditions, batch)
        total += done
        if done < batch:
            return total


async def anonymise_loans_of_patron(patron_id: int) -> int:
    """Anonymise every returned loan of one patron now (before deleting the patron, so that
    the statistics still count them as a borrower). Open loans are left alone."""
    total = 0
    while True:
        done = await _anonymise_batch(
            [Loan.returned_at.is_not_null(), Loan.patron == patron_id], BATCH
        )
        total += done
        if done < BATCH:
            return total


async def _anonymise_batch(conditions: list, batch: int, respect_opt_in: bool = False) -> int:
    engine = current_engine()
    async with write_transaction(engine):
        if not is_sqlite(engine):
            await Loan.raw("SELECT pg_advisory_xact_lock({})", TALLY_LOCK)
        if respect_opt_in:
            # Opted-in patrons are few: excluding their ids is much cheaper than a join.
            keep = [
                r["id"] for r in await Patron.select(Patron.id).where(Patron.keep_history.eq(True))
            ]
            if keep:
                conditions = [*conditions, Loan.patron.not_in(keep)]
        query = Loan.select(Loan.id, Loan.patron, Loan.loaned_on, Loan.returned_at).where(
            Loan.patron.is_not_null(), Loan.anonymised_at.is_null()
        )
        for condition in conditions:
            query = query.where(condition)
        rows = await query.order_by(Loan.id).limit(batch)
        if not rows:
            return 0
        # The UPDATE repeats the conditions: only loans still linked and returned change.
        changed = await (
            Loan.update({Loan.patron: None, Loan.anonymised_at: now()})
            .where(
                Loan.id.is_in([r["id"] for r in rows]),
                Loan.patron.is_not_null(),
                Loan.anonymised_at.is_null(),
                Loan.returned_at.is_not_null(),
            )
            .returning(Loan.id)
        )
        changed_ids = {r["id"] for r in changed}
        done = [r for r in rows if r["id"] in changed_ids]
        await _remember_borrowers(done)
        await _keep_last_activity(done)
        return len(done)


async def _remember_borrowers(loans: list[dict]) -> None:
    """Note, per month, which patrons borrowed (ids only), so that the number of distinct
    borrowers in the statistics stays right once the loans no longer name them."""
    tally = dict(await get_setting(BORROWERS_KEY) or {})
    for loan in loans:
        month = f"{loan['loaned_on'].year:04d}-{loan['loaned_on'].month:02d}"
        ids = set(tally.get(month, []))
        ids.add(loan["patron"])
        tally[month] = sorted(ids)
    await set_setting(BORROWERS_KEY, tally)


async def _keep_last_activity(loans: list[dict]) -> None:
    """The inactive-patron list reads ``last_activity_at``; an anonymised loan no longer tells
    when its borrower was last here, so the return time moves there first."""
    if not loans:
        return
    latest: dict[int, datetime] = {}
    for loan in loans:
        at = loan["returned_at"]
        if loan["patron"] not in latest or at > latest[loan["patron"]]:
            latest[loan["patron"]] = at
    known = {
        r["id"]: r["last_activity_at"]
        for r in await Patron.select(Patron.id, Patron.last_activity_at).where(
            Patron.id.is_in(list(latest))
        )
    }
    for patron_id, at in latest.items():
        # Only write where it moves forward: most patrons were active more recently.
        if patron_id in known and (known[patron_id] is None or known[patron_id] < at):
            await Patron.update({Patron.last_activity_at: at}).where(Patron.id == patron_id)


async def run_daily(today: date) -> dict:
    """The data protection part of the daily run (called by the scheduler)."""
    return {"anonymised_loans": await anonymise_returned_loans(today)}


@dataclass(frozen=True)
class InactivePatron:
    id: int
    name: str
    category: str
    last_seen: datetime | None


async def inactive_patrons(today: date, tz: ZoneInfo = BERLIN) -> list[InactivePatron]:
    """Patrons without a loan, a login or other activity for ``inactive_after_years``
    and with nothing on loan: candidates for deletion, oldest first."""
    years = int(await get_setting("inactive_after_years"))
    try:
        since_day = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        since_day = today.replace(year=today.year - years, day=28)
    since = datetime.combine(since_day, time.min, tz)
    candidates = await Patron.select(
        Patron.id,
        Patron.first_name,
        Patron.last_name,
        Patron.institution,
        Patron.category,
        Patron.last_activity_at,
        Patron.created_at,
    ).where(Patron.created_at < since, Patron.last_activity_at < since)
    if not candidates:
        return []
    ids = [c["id"] for c in candidates]
    busy: set[int] = set()
    for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
        recent = await Loan.select(Loan.patron).where(
            Loan.patron.is_in(chunk),
            (Loan.loaned_on >= since_day)
            | Loan.returned_at.is_null()
            | (Loan.returned_at >= since),
        )
        busy.update(r["patron"] for r in recent)
        logins = await Account.select(Account.patron).where(
            Account.patron.is_in(chunk), Account.last_login_at >= since
        )
        busy.update(r["patron"] for r in logins)
    last_loans: dict[int, datetime] = {}
    for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
        for r in await Loan.select(Loan.patron, Loan.loaned_at).where(Loan.patron.is_in(chunk)):
            if r["patron"] not in last_loans or r["loaned_at"] > last_loans[r["patron"]]:
                last_loans[r["patron"]] = r["loaned_at"]
    result = []
    for c in candidates:
        if c["id"] in busy:
            continue
        name = " ".join(p for p in (c["first_name"], c["last_name"]) if p)
        if c["institution"]:
            name = f"{name} ({c['institution']})"
        seen = max(x for x in (c["last_activity_at"], last_loans.get(c["id"])) if x)
        result.append(InactivePatron(c["id"], name, c["category"], seen))
    return sorted(result, key=lambda p: (p.last_seen or datetime.min.replace(tzinfo=tz), p.id))


# Retention settings and the range an admin may choose (days / years).
RETENTION = {
    "anonymise_after_days": (1, 3650, N_("Bitte eine Zahl von 1 bis 3650 Tagen angeben.")),
    "inactive_after_years": (1, 30, N_("Bitte eine Zahl von 1 bis 30 Jahren angeben.")),
}


@dataclass(frozen=True)
class Retention:
    """How long returned loans keep their borrower, and when a borrower counts as inactive."""

    anonymise_after_days: int
    inactive_after_years: int


def parse_retention(form: Mapping[str, str]) -> Retention:
    """The retention form's numbers as typed; a field that is no whole number becomes 0,
    which ``save_retention`` refuses with the field's message."""
    numbers = {}
    for key in RETENTION:
        raw = (form.get(key) or "").strip()
        numbers[key] = int(raw) if raw.isascii() and raw.isdigit() else 0
    return Retention(**numbers)


async def save_retention(retention: Retention, actor: Actor) -> dict[str, int]:
    """Check and save the retention periods; ``InvalidInput`` names each field out of range."""
    values = asdict(retention)
    errors = {
        key: _(message)
        for key, (low, high, message) in RETENTION.items()
        if not low <= values[key] <= high
    }
    if errors:
        raise InvalidInput(errors=errors)
    async with write_transaction():
        for key, value in values.items():
            await set_setting(key, value)
        await actor.record("retention_changed", "site_setting", "", **values)
    return values


async def anonymise_now_by(today: date, actor: Actor) -> int:
    """Anonymise what is due now, on an admin's request (audited)."""
    count = await anonymise_returned_loans(today)
    await actor.record("loans_anonymised", "loan", "", count=count)
    return count
