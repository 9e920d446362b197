"""Mein Konto as a teacher uses it: working title links, a table that stays put after a
renewal, renewals left, "heute fällig", "Alle verlängern" and the summary line."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from mediathek.circulation.tables import Loan
from mediathek.clock import today as library_today
from mediathek.reservations.tables import Hold, HoldStatus
from tests.factories import lend, title_with_copy_ids


@pytest.fixture
def today():
    """The pages ask the clock (Europe/Berlin): these tests use the same day."""
    return library_today()


async def _loans(anna, today):
    """Three loans of anna's: checked out on different days, due in a different order."""
    first, [c1] = await title_with_copy_ids(1, name="Bildkarten Obst")
    second, [c2] = await title_with_copy_ids(1, name="Memo Tiere")
    third, [c3] = await title_with_copy_ids(1, name="Wimmelbuch Stadt")
    ids = [
        await lend(c1, anna.patron_id, today - timedelta(days=20), today + timedelta(days=8)),
        await lend(c2, anna.patron_id, today - timedelta(days=10), today),
        await lend(c3, anna.patron_id, today - timedelta(days=5), today + timedelta(days=2)),
    ]
    return [first, second, third], ids


def _row_order(html: str) -> list[int]:
    return [int(m) for m in re.findall(r'<tr id="loan-(\d+)"', html)]


async def test_title_links_lead_to_the_title_page(client_for, teacher_anna, today):
    titles, _ = await _loans(teacher_anna, today)
    async with client_for(teacher_anna) as c:
        page = await c.get("/konto")
        assert "/katalog/" not in page.text
        assert f'href="/titel/{titles[0]}"' in page.text
        assert (await c.get(f"/titel/{titles[0]}")).status_code == 200


async def test_renewing_keeps_the_row_where_it_was(client_for, teacher_anna, today):
    _, ids = await _loans(teacher_anna, today)
    async with client_for(teacher_anna) as c:
        before = _row_order((await c.get("/konto")).text)
        # The loan due today is renewed: its due date moves behind the others.
        r = await c.post(f"/konto/ausleihen/{ids[1]}/verlaengern", headers={"HX-Request": "true"})
        assert r.status_code == 200 and "ist verlängert bis" in r.text
        assert r.headers["HX-Trigger"] == "loans-changed"
        assert _row_order(r.text) == before == ids
        assert f'id="loan-{ids[1]}" class=" row-renewed"' in r.text
        # The same button position now renews the same loan again, not another one.
        r = await c.post(f"/konto/ausleihen/{ids[1]}/verlaengern", headers={"HX-Request": "true"})
        assert _row_order(r.text) == ids
    renewals = {row["id"]: row["renewals"] for row in await Loan.select(Loan.id, Loan.renewals)}
    assert renewals == {ids[0]: 0, ids[1]: 2, ids[2]: 0}


async def test_each_loan_shows_renewals_left_and_due_today(client_for, teacher_anna, today):
    _, ids = await _loans(teacher_anna, today)
    await Loan.update({Loan.renewals: 2}).where(Loan.id == ids[0])
    await Loan.update({Loan.renewals: 1}).where(Loan.id == ids[2])
    async with client_for(teacher_anna) as c:
        html = (await c.get("/konto/ausleihen")).text
    rows = dict(zip(ids, re.split(r'<tr id="loan-\d+"', html)[1:], strict=True))
    assert "nicht mehr verlängerbar (2× verlängert)" in rows[ids[0]]
    assert f"/konto/ausleihen/{ids[0]}/verlaengern" not in rows[ids[0]]
    assert "heute fällig" in rows[ids[1]] and "noch 2× möglich" in rows[ids[1]]
    assert "bald fällig" in rows[ids[2]] and "noch 1× möglich" in rows[ids[2]]


async def test_renew_all_renews_what_it_can_and_says_why_not(
    client_for, teacher_anna, volunteer_ben, today
):
    titles, ids = await _loans(teacher_anna, today)
    await Loan.update({Loan.renewals: 2}).where(Loan.id == ids[0])  # maximum reached
    # Someone waits for the third title and no other copy can serve her.
    await Hold.insert(Hold(title=titles[2], patron=volunteer_ben.patron_id))
    async with client_for(teacher_anna) as c:
        r = await c.post("/konto/ausleihen/alle-verlaengern")
    assert r.status_code == 200
    assert "1 von 3 Ausleihen verlängert." in r.text
    text = " ".join(re.sub(r"<[^>]+>", " ", r.text).split())
    assert "Bildkarten Obst : nicht verlängert – Schon 2-mal verlängert" in text
    assert "Memo Tiere : verlängert bis" in text
    assert "Wimmelbuch Stadt : nicht verlängert – Andere warten auf diesen Titel" in text
    renewed = {row["id"]: row["renewals"] for row in await Loan.select(Loan.id, Loan.renewals)}
    assert renewed == {ids[0]: 2, ids[1]: 1, ids[2]: 0}


async def test_renew_all_touches_only_her_own_loans(client_for, teacher_anna, volunteer_ben, today):
    _, ids = await _loans(teacher_anna, today)
    async with client_for(volunteer_ben) as c:
        r = await c.post("/konto/ausleihen/alle-verlaengern")
    assert "Sie haben gerade nichts ausgeliehen." in r.text
    assert [row["renewals"] for row in await Loan.select(Loan.renewals)] == [0, 0, 0]


async def test_summary_line_on_top_of_the_account(client_for, teacher_anna, today):
    titles, ids = await _loans(teacher_anna, today)
    await Hold.insert(
        Hold(
            title=titles[0],
            patron=teacher_anna.patron_id,
            status=HoldStatus.ready,
            pickup_until=today + timedelta(days=7),
        )
    )
    async with client_for(teacher_anna) as c:
        page = await c.get("/konto")
        assert "3 ausgeliehen, nächste Rückgabe heute, 1 Vormerkung abholbereit" in page.text
        await c.post(f"/konto/ausleihen/{ids[1]}/verlaengern")
        # What the page reloads after the renewal (HX-Trigger "loans-changed").
        summary = await c.get("/konto/uebersicht", headers={"HX-Request": "true"})
    nxt = today + timedelta(days=2)
    assert summary.text.count("<p") == 1 and "<html" not in summary.text
    assert f"3 ausgeliehen, nächste Rückgabe {nxt:%d.%m.}, 1 Vormerkung abholbereit" in summary.text


async def test_summary_counts_overdue_loans(client_for, teacher_anna, today):
    _, [c1] = await title_with_copy_ids(1)
    await lend(c1, teacher_anna.patron_id, today - timedelta(days=40), today - timedelta(days=12))
    async with client_for(teacher_anna) as c:
        page = await c.get("/konto")
    assert "1 ausgeliehen, 1 überfällig" in page.text
