"""The admins' audit page shows which staff member did what, also after she has left."""

import re

from mediathek.audit import AuditLog
from mediathek.patrons.tables import Account
from mediathek.vocab import Role
from tests.factories import make_persona, title_with_copies


def rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [re.sub(r"\s+", " ", r) for r in body.split("<tr>")[1:]]


async def test_each_staff_member_appears_with_what_she_did(
    client_for, admin, staff, volunteer_dora_blocked
):
    bernd = await make_persona("Bernd Zweiter", Role.staff, None)
    _, [code] = await title_with_copies()
    async with client_for(staff) as c:
        lent = await c.post(
            "/theke/scan",
            data={"code": code, "ausweis": volunteer_dora_blocked.card, "override_reason": "ok"},
            headers={"HX-Request": "true"},
        )
        assert "Ausnahme wurde protokolliert" in lent.text
    loan = await AuditLog.select(AuditLog.object_id).where(AuditLog.action == "loan.override")
    async with client_for(bernd) as c:
        renewed = await c.post(
            "/theke/verlaengern",
            data={"loan_id": loan[0]["object_id"], "ausweis": volunteer_dora_blocked.card},
        )
        assert renewed.status_code == 200
    async with client_for(admin) as c:
        page = await c.get("/admin/protokoll")
    override = next(r for r in rows(page.text) if "loan.override" in r)
    renewal = next(r for r in rows(page.text) if "loan.renew" in r)
    assert "Sabine Theke" in override and f"Konto-Nr. {staff.account_id}" in override
    assert "Bernd Zweiter" in renewal and "Sabine" not in renewal

    await Account.delete().where(Account.id == staff.account_id)
    async with client_for(admin) as c:
        page = await c.get("/admin/protokoll")
    override = next(r for r in rows(page.text) if "loan.override" in r)
    assert "Sabine Theke" in override and "Konto-Nr." not in override


async def test_admin_and_stocktake_pages_record_who_clicked(client_for, admin, staff):
    from mediathek.reports.stocktake import start_stocktake

    stocktake = await start_stocktake("Spiele", ["SPI"], staff.account_id)
    async with client_for(staff) as c:
        applied = await c.post(
            f"/verwaltung/revision/{stocktake}/anwenden", data={"confirmed": "1"}
        )
        assert applied.status_code in (200, 303)
    async with client_for(admin) as c:
        ran = await c.post("/admin/datenschutz/anonymisieren")
        assert ran.status_code in (200, 303)
        page = await c.get("/admin/protokoll")
    applied_row = next(r for r in rows(page.text) if "stocktake_applied" in r)
    anonymised_row = next(r for r in rows(page.text) if "loans_anonymised" in r)
    # The name, not the login address the pages used to write.
    assert "Sabine Theke" in applied_row and staff.email not in applied_row
    assert "Adam Admin" in anonymised_row and admin.email not in anonymised_row
