"""Walking the table of copy status changes through the one writer, on the test's engine."""

from __future__ import annotations

import asyncio
from itertools import product

import pytest

from mediathek.catalogue.barcodes import make_code
from mediathek.catalogue.copy_moves import move_copies, move_copy
from mediathek.catalogue.policy import COPY_TRANSITIONS, CopyEvent, CopyStatusRefused
from mediathek.catalogue.tables import Copy, CopyStatus, Title
from mediathek.db import write_transaction

PAIRS = list(product(CopyStatus, CopyEvent))


async def copies_in(statuses: list[CopyStatus]) -> list[int]:
    """One copy of one title per status given, each with a note to see whether it stays."""
    row = await Title.insert(Title(title="Memo Tiere", media_type="game")).returning(Title.id)
    rows = await Copy.insert(
        *[
            Copy(
                title=row[0]["id"],
                barcode=make_code("T", i + 1),
                status=status,
                status_note="alt",
                withdrawn_at=None,
            )
            for i, status in enumerate(statuses)
        ]
    ).returning(Copy.id)
    return [r["id"] for r in rows]


async def state(copy_id: int) -> dict:
    return (
        await Copy.select(Copy.status, Copy.status_note, Copy.withdrawn_at)
        .where(Copy.id == copy_id)
        .first()
    )


async def test_every_step_of_the_table_moves_the_copy_and_every_other_is_refused(db):
    ids = await copies_in([status for status, _ in PAIRS])
    for copy_id, (status, event) in zip(ids, PAIRS, strict=True):
        to = COPY_TRANSITIONS.get((status, event))
        if to is not None:
            assert await move_copy(copy_id, event, expected_from=[status]), (status, event)
            assert (await state(copy_id))["status"] == to, (status, event)
        else:
            with pytest.raises(CopyStatusRefused):
                await move_copy(copy_id, event, expected_from=[status])
            # Without saying where it starts, the UPDATE itself finds nothing to move.
            assert not await move_copy(copy_id, event), (status, event)
            assert (await state(copy_id))["status"] == status, (status, event)


async def test_a_copy_is_found_by_its_barcode_and_the_note_changes_only_when_given(db):
    [first, second] = await copies_in([CopyStatus.available, CopyStatus.available])
    assert await move_copy("X9999999", CopyEvent.checkout) is False  # no such barcode
    code = (await Copy.select(Copy.barcode).where(Copy.id == first).first())["barcode"]
    assert await move_copy(code, CopyEvent.set_aside)
    assert await state(first) == {
        "status": "on_hold_shelf",
        "status_note": "alt",
        "withdrawn_at": None,
    }
    assert await move_copy(second, CopyEvent.stocktake_missing, note="nicht gefunden")
    assert (await state(second))["status_note"] == "nicht gefunden"


async def test_withdrawing_stamps_the_day_and_finding_it_again_clears_it(db):
    [copy_id] = await copies_in([CopyStatus.in_repair])
    assert await move_copy(copy_id, CopyEvent.withdraw)
    assert (await state(copy_id))["withdrawn_at"] is not None
    assert await move_copy(copy_id, CopyEvent.found_again, note="")
    assert await state(copy_id) == {"status": "available", "status_note": "", "withdrawn_at": None}


async def test_many_copies_move_at_once_and_only_those_the_step_starts_from(db):
    ids = await copies_in(
        [CopyStatus.available, CopyStatus.on_loan, CopyStatus.lost, CopyStatus.available]
    )
    moved = await move_copies(CopyEvent.stocktake_missing, ids=ids, note="Bestandsrevision")
    assert sorted(moved) == [ids[0], ids[3]]
    title_id = (await Copy.select(Copy.title).first())["title"]
    withdrawn = await move_copies(CopyEvent.withdraw, title_id=title_id)
    assert sorted(withdrawn) == [ids[0], ids[2], ids[3]]  # the lent one stays lent
    assert (await state(ids[1]))["status"] == "on_loan"
    assert await move_copies(CopyEvent.withdraw) == []  # no copy named, none moved


async def test_of_different_steps_racing_for_one_copy_exactly_one_moves_it(db):
    [copy_id] = await copies_in([CopyStatus.available])
    events = [
        CopyEvent.checkout,
        CopyEvent.set_aside,
        CopyEvent.stocktake_missing,
        CopyEvent.withdraw,
        CopyEvent.send_to_repair,
    ] * 4

    async def step(event: CopyEvent) -> CopyEvent | None:
        async with write_transaction():
            return event if await move_copy(copy_id, event) else None

    won = [e for e in await asyncio.gather(*[step(e) for e in events]) if e is not None]
    assert len(won) == 1
    assert (await state(copy_id))["status"] == COPY_TRANSITIONS[(CopyStatus.available, won[0])]
