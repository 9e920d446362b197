"""Creating the reminder digests of a day (DESIGN §3 "Reminders").

One digest per patron per run, listing every loan that enters a stage today (due soon, overdue
level 1–3). The notice and the loans' new reminder level are written in one transaction, and
the notice's unique key (patron, kind, level, items, day) makes a second run of the same day
create nothing. Each item of a new notice is also written to ``loan_notice`` (loan, due date,
stage), whichever kind of digest carried it; planning reads that record, so an item is
announced once per due date and stage.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from mediathek.circulation.tables import Loan
from mediathek.db import write_transaction
from mediathek.jobs.locks import job_lock
from mediathek.notifications import policy
from mediathek.notifications.outbox import notice_key
from mediathek.notifications.tables import LoanNotice, Notification
from mediathek.patrons.tables import Patron
from mediathek.site_settings import get_setting

# Rows per INSERT: well under SQLite's limit of bound variables per statement.
INSERT_CHUNK = 200


async def reminder_settings() -> tuple[int, list[int]]:
    due_soon = int(await get_setting("due_soon_days"))
    levels = [int(v) for v in await get_setting("overdue_level_days")]
    return due_soon, levels


async def told_stages(due: dict[int, date], horizon: date) -> dict[int, frozenset[int]]:
    """loan id → the stages its patron was told for the loan's current due date, whichever
    notice carried them (``loan_notice``). A renewal gives a new due date: nothing told yet."""
    rows = await LoanNotice.select(LoanNotice.loan, LoanNotice.due_on, LoanNotice.level).where(
        LoanNotice.loan.returned_at.is_null()
        & LoanNotice.loan.patron.is_not_null()
        & (LoanNotice.loan.due_on <= horizon)
    )
    told: dict[int, set[int]] = {}
    for row in rows:
        if due.get(row["loan"]) == row["due_on"]:
            told.setdefault(row["loan"], set()).add(row["level"])
    return {loan_id: frozenset(levels) for loan_id, levels in told.items()}


async def insert_new(notices: list[Notification]) -> dict[str, int]:
    """Insert many notices at once (what ``enqueue`` does one by one); the unique key skips
    those that exist already. Returns key → id of the new ones."""
    created: dict[str, int] = {}
    for start in range(0, len(notices), INSERT_CHUNK):
        rows = (
            await Notification.insert(*notices[start : start + INSERT_CHUNK])
            .on_conflict(target=Notification.key, action="DO NOTHING")
            .returning(Notification.id, Notification.key)
        )
        created.update({r["key"]: r["id"] for r in rows})
    return created


async def record_told(told: list[LoanNotice]) -> None:
    """Remember what the new notices told, item by item (unique per loan, due date, stage)."""
    for start in range(0, len(told), INSERT_CHUNK):
        await LoanNotice.insert(*told[start : start + INSERT_CHUNK]).on_conflict(
            action="DO NOTHING"
        )


async def create_reminders(today: date) -> dict:
    """Queue today's digests; returns counts. Safe to run twice a day (nothing new the 2nd time)."""
    due_soon_days, level_days = await reminder_settings()
    horizon = today + timedelta(days=due_soon_days)
    async with write_transaction():
        # What was told about a loan returned before yesterday is needed no more (a return
        # is undone at the desk the same day only); the record stays as small as the open loans.
        returned_before = datetime.combine(today - timedelta(days=1), time.min, UTC)
        await LoanNotice.delete().where(
            LoanNotice.loan.is_in(Loan.select(Loan.id).where(Loan.returned_at < returned_before))
        )
        # Anonymised loans (patron NULL) and returned loans are never reminded.
        rows = await Loan.select(
            Loan.id,
            Loan.patron,
            Loan.due_on,
            Loan.reminder_level,
            Loan.copy.barcode.as_alias("barcode"),
            Loan.title.title.as_alias("title"),
        ).where(Loan.returned_at.is_null() & Loan.patron.is_not_null() & (Loan.due_on <= horizon))
        by_id = {r["id"]: r for r in rows}
        told = await told_stages({r["id"]: r["due_on"] for r in rows}, horizon)
        loans = [
            policy.OpenLoan(
                loan_id=r["id"],
                patron_id=r["patron"],
                due_on=r["due_on"],
                reminder_level=r["reminder_level"],
                told=told.get(r["id"], frozenset()),
            )
            for r in rows
        ]
        plan = policy.plan_digests(loans, today, due_soon_days, level_days)
        patrons = {
            p["id"]: p
            for p in await Patron.select(
                Patron.id,
                Patron.first_name,
                Patron.last_name,
                Patron.email,
                Patron.preferred_language,
            ).where(Patron.id.is_in(list(plan) or [0]))
        }
        notices: list[Notification] = []
        carried: dict[str, list[tuple[policy.OpenLoan, int]]] = {}  # notice key → its items
        raised: dict[int, list[int]] = {}
        for patron_id, entries in plan.items():
            patron = patrons.get(patron_id)
            if patron is None:
                continue
            entries.sort(key=lambda e: (e[0].due_on, e[0].loan_id))
            kind, level = policy.digest_kind(stage for _, stage in entries)
            items = [
                {
                    "loan_id": loan.loan_id,
                    "title": by_id[loan.loan_id]["title"],
                    "barcode": by_id[loan.loan_id]["barcode"],
                    "due_on": loan.due_on.isoformat(),
                    "level": stage,
                }
                for loan, stage in entries
            ]
            key = notice_key(
                kind,
                patron_id,
                today,
                *(f"{i['loan_id']}@{i['level']}" for i in items),
                level=level,
            )
            if patron["email"]:
                carried[key] = entries
                notices.append(
                    Notification(
                        key=key,
                        patron=patron_id,
                        recipient=patron["email"],
                        kind=kind,
                        level=level,
                        language=patron["preferred_language"] or "de",
                        payload={
                            "name": f"{patron['first_name']} {patron['last_name']}".strip(),
                            "items": items,
                        },
                    )
                )
            for loan, stage in entries:
                if stage > loan.reminder_level:
                    raised.setdefault(stage, []).append(loan.loan_id)
        created = await insert_new(notices)
        # Every item of a new notice is told now, whatever the kind of the digest.
        await record_told(
            [
                LoanNotice(
                    loan=loan.loan_id,
                    due_on=loan.due_on,
                    level=stage,
                    notification=notice_id,
                    told_on=today,
                )
                for key, notice_id in created.items()
                for loan, stage in carried[key]
            ]
        )
        # The loan's level moves with its notice (a patron without email still reaches the
        # level: checkout refusals and the staff's level-3 list depend on it).
        for level, ids in raised.items():
            await Loan.update({Loan.reminder_level: level}).where(
                Loan.id.is_in(ids) & (Loan.reminder_level < level)
            )
    return {
        "digests": len(created),
        "patrons": len(plan),
        "items": sum(len(v) for v in plan.values()),
        "raised": sum(len(v) for v in raised.values()),
    }


async def run_daily(today: date) -> dict:
    """The daily job (listed in ``mediathek.jobs.daily.DAILY_JOBS``)."""
    async with job_lock("reminders") as holder:
        if holder is None:
            return {"skipped": "läuft bereits"}
        return await create_reminders(today)


async def level_three_patrons() -> list[dict]:
    """The staff to-do list: patrons with at least one open loan at overdue level 3."""
    rows = (
        await Loan.select(
            Loan.patron.id.as_alias("patron_id"),
            Loan.patron.first_name.as_alias("first_name"),
            Loan.patron.last_name.as_alias("last_name"),
            Loan.patron.card_barcode.as_alias("card"),
            Loan.patron.email.as_alias("email"),
            Loan.patron.phone.as_alias("phone"),
            Loan.due_on,
            Loan.copy.barcode.as_alias("barcode"),
            Loan.title.title.as_alias("title"),
        )
        .where(
            Loan.returned_at.is_null()
            & Loan.patron.is_not_null()
            & (Loan.reminder_level >= policy.MAX_LEVEL)
        )
        .order_by(Loan.due_on)
    )
    patrons: dict[int, dict] = {}
    for r in rows:
        entry = patrons.setdefault(
            r["patron_id"],
            {
                "patron_id": r["patron_id"],
                "name": f"{r['first_name']} {r['last_name']}".strip(),
                "card": r["card"],
                "email": r["email"],
                "phone": r["phone"],
                "items": [],
            },
        )
        entry["items"].append({"title": r["title"], "barcode": r["barcode"], "due_on": r["due_on"]})
    return list(patrons.values())
