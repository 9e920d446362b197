from datetime import date

from mediathek.catalogue import services
from mediathek.catalogue.tables import Copy, CopyStatus
from mediathek.circulation.tables import Loan
from tests.factories import catalogued_title


async def lend(copy_code: str, patron_id: int, due_on: date) -> None:
    copy = await Copy.select(Copy.id, Copy.title).where(Copy.barcode == copy_code).first()
    await Copy.update({Copy.status: CopyStatus.on_loan}).where(Copy.id == copy["id"])
    await Loan.insert(
        Loan(
            copy=copy["id"],
            title=copy["title"],
            patron=patron_id,
            patron_category="paid_teacher",
            media_type="textbook",
            loaned_on=date(2026, 3, 1),
            due_on=due_on,
        )
    )


async def test_title_page_shows_metadata_and_each_copys_availability(client, teacher_anna):
    title_id, codes = await catalogued_title(
        copies=2,
        description="Kursbuch mit Arbeitsbuch",
        isbn="978-3-19-101080-5",
        media_type="kit",
        components=[("Bildkarten", "40"), ("Spielplan", "1")],
    )
    await lend(codes[0], teacher_anna.patron_id, date(2026, 3, 31))
    r = await client.get(f"/titel/{title_id}")
    assert r.status_code == 200
    html = r.text
    assert "Schritte plus Neu 1" in html and "Hueber" in html and "Deutsch" in html
    assert "978-3-19-101080-5" in html
    assert "40 × Bildkarten" in html
    assert "ausgeliehen bis 31.03.2026" in html
    assert "im Regal" in html
    assert "Berger" not in html  # never who has it


async def test_withdrawn_title_is_gone_for_the_public_but_staff_still_see_it(
    client, client_for, staff
):
    title_id, _ = await catalogued_title(copies=1)
    await services.withdraw_title(title_id)
    assert (await client.get(f"/titel/{title_id}")).status_code == 404
    async with client_for(staff) as c:
        r = await c.get(f"/titel/{title_id}")
    assert r.status_code == 200 and "ausgesondert" in r.text


async def test_unknown_or_huge_title_id_is_a_plain_404(client):
    assert (await client.get("/titel/999")).status_code == 404
    assert (await client.get("/titel/99999999999999")).status_code in (400, 404)
