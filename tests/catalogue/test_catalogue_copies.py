import asyncio

import pytest

from mediathek.audit import AuditLog
from mediathek.catalogue import copies as copy_service
from mediathek.catalogue import services
from mediathek.catalogue.barcodes import is_valid_code
from mediathek.catalogue.inputs import CopyChange, NewCopies
from mediathek.catalogue.tables import Copy, CopyStatus, Title
from mediathek.errors import InvalidInput
from tests.factories import catalogued_title


async def copy_id(code: str) -> int:
    return (await Copy.select(Copy.id).where(Copy.barcode == code).first())["id"]


async def test_copies_get_consecutive_valid_barcodes_with_the_configured_prefix(today, db):
    title_id, first = await catalogued_title(copies=2)
    more = await copy_service.add_copies(title_id, NewCopies(3, "DAZ 2"), "M", today)
    assert first + more == ["M0000018", "M0000026", "M0000034", "M0000042", "M0000059"]
    assert all(is_valid_code(c, "M") for c in first + more)
    other = await copy_service.add_copies(title_id, NewCopies(1, ""), "X", today)
    assert other == ["X0000018"]


async def test_concurrent_additions_never_share_a_barcode(today, db):
    title_id, _ = await catalogued_title()
    batches = await asyncio.gather(
        *[copy_service.add_copies(title_id, NewCopies(3, ""), "M", today) for _ in range(6)]
    )
    codes = [c for batch in batches for c in batch]
    assert len(codes) == len(set(codes)) == 18
    assert await Copy.count() == 18


@pytest.mark.parametrize("count", ["0", "abc", "201", ""])
async def test_a_wrong_copy_count_is_refused(today, db, count):
    title_id, _ = await catalogued_title()
    with pytest.raises(InvalidInput) as err:
        await copy_service.add_copies(title_id, NewCopies(count, ""), "M", today)
    assert "Anzahl" in err.value.errors["count"]


async def test_staff_can_set_repair_lost_and_back_but_not_touch_a_lent_copy(db):
    title_id, codes = await catalogued_title(copies=2)
    cid = await copy_id(codes[0])
    copy = await copy_service.change_copy(cid, CopyChange(status="in_repair", note="Seite lose"))
    assert copy["status"] == "in_repair" and copy["status_note"] == "Seite lose"
    copy = await copy_service.change_copy(cid, CopyChange(status="available", shelf_mark="DAZ 9"))
    assert copy["status"] == "available" and copy["shelf_mark"] == "DAZ 9"
    with pytest.raises(copy_service.CopyStatusRefused):
        await copy_service.change_copy(cid, CopyChange(status="on_loan"))
    lent = await copy_id(codes[1])
    await Copy.update({Copy.status: CopyStatus.on_loan}).where(Copy.id == lent)
    with pytest.raises(copy_service.CopyStatusRefused, match="Theke"):
        await copy_service.change_copy(lent, CopyChange(status="lost"))
    # the shelf mark of a lent copy may still change
    moved = await copy_service.change_copy(lent, CopyChange(shelf_mark="NEU"))
    assert moved["shelf_mark"] == "NEU"
    assert await AuditLog.count().where(AuditLog.action == "copy_status_changed") == 2


async def test_a_withdrawn_copy_keeps_its_row_and_cannot_come_back(db):
    _, codes = await catalogued_title(copies=1)
    cid = await copy_id(codes[0])
    copy = await copy_service.change_copy(cid, CopyChange(status="withdrawn"))
    assert copy["withdrawn_at"] is not None
    with pytest.raises(copy_service.CopyStatusRefused):
        await copy_service.change_copy(cid, CopyChange(status="available"))
    assert await Copy.count() == 1


async def test_withdrawing_a_title_is_refused_while_a_copy_is_lent(db):
    title_id, codes = await catalogued_title(copies=2)
    await Copy.update({Copy.status: CopyStatus.on_hold_shelf}).where(Copy.barcode == codes[0])
    with pytest.raises(services.TitleHasCirculatingCopies, match="Abholregal"):
        await services.withdraw_title(title_id)
    assert (await Title.select(Title.withdrawn_at).first())["withdrawn_at"] is None


async def test_withdrawing_a_title_withdraws_its_copies_and_keeps_them(today, db):
    title_id, _ = await catalogued_title(copies=2)
    assert await services.withdraw_title(title_id) == 2
    statuses = {c["status"] for c in await Copy.select(Copy.status)}
    assert statuses == {"withdrawn"}
    assert await services.withdraw_title(title_id) == 0  # twice is harmless
    with pytest.raises(Exception, match="ausgesondert"):
        await copy_service.add_copies(title_id, NewCopies(1, ""), "M", today)


async def test_withdrawing_a_title_is_refused_while_holds_or_bookings_are_open(db, teacher_anna):
    from mediathek.reservations.tables import Hold

    title_id, _ = await catalogued_title(copies=1)
    await Hold.insert(Hold(title=title_id, patron=teacher_anna.patron_id))
    with pytest.raises(services.TitleHasCirculatingCopies, match="Vormerkung"):
        await services.withdraw_title(title_id)
    assert await Copy.count().where(Copy.status == "withdrawn") == 0
