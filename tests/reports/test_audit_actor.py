"""The audit log says which staff member acted, and keeps saying it after the account is gone."""

from dataclasses import dataclass

from mediathek.audit import AuditLog
from mediathek.catalogue.services import Actor, withdraw_title
from mediathek.circulation import corrections, services
from mediathek.notifications.services import save_reminder_settings
from mediathek.patrons import privacy, roles
from mediathek.patrons.services import set_blocked
from mediathek.patrons.tables import Account
from mediathek.reports.stocktake import apply_stocktake, start_stocktake
from mediathek.vocab import Role
from tests.factories import make_persona, title_with_copies


@dataclass
class Acting:
    """What handlers pass as ``actor``: the current user's account id and name."""

    account_id: int
    display_name: str
    email: str = ""


async def last_entry() -> dict:
    return (
        await AuditLog.select(AuditLog.action, AuditLog.actor, AuditLog.actor_label)
        .order_by(AuditLog.id, ascending=False)
        .first()
    )


async def assert_by(persona, action: str) -> None:
    entry = await last_entry()
    assert entry == {"action": action, "actor": persona.account_id, "actor_label": persona.name}


async def test_desk_actions_name_the_staff_member(
    staff, volunteer_dora_blocked, teacher_anna, today
):
    _, [code] = await title_with_copies()
    lent = await services.checkout(
        volunteer_dora_blocked.card,
        code,
        today=today,
        staff_id=staff.account_id,
        override_reason="Chefin erlaubt",
    )
    await assert_by(staff, "loan.override")
    await services.renew(lent.loan_id, today=today, staff_id=staff.account_id)
    await assert_by(staff, "loan.renew")
    await corrections.undo_last(
        corrections.UndoToken.of_checkout(lent), today=today, staff_id=staff.account_id
    )
    await assert_by(staff, "checkout.undo")
    await corrections.mark_lost(code, staff_id=staff.account_id)
    await assert_by(staff, "copy.lost")


async def test_a_borrower_renewing_online_is_recorded_by_role_not_name(teacher_anna, today):
    _, [code] = await title_with_copies()
    lent = await services.checkout(teacher_anna.card, code, today=today, staff_id=None)
    await services.renew(lent.loan_id, today=today, by_patron_id=teacher_anna.patron_id)
    assert await last_entry() == {
        "action": "loan.renew",
        "actor": None,
        "actor_label": "Ausleihende*r",
    }


async def test_catalogue_patrons_settings_and_stocktake_name_the_actor(
    staff, admin, teacher_anna, today
):
    title_id, _ = await title_with_copies("Alt")
    # The label comes from the account, whatever a caller passed along.
    await withdraw_title(title_id, actor=Actor(staff.account_id, ""))
    await assert_by(staff, "title_withdrawn")
    await set_blocked(teacher_anna.patron_id, "Test", actor=Acting(staff.account_id, "?"))
    await assert_by(staff, (await last_entry())["action"])
    await save_reminder_settings("3", ["7", "14", "28"], actor_id=admin.account_id, actor_label="")
    await assert_by(admin, "reminder_settings")
    stocktake = await start_stocktake("Spiele", ["SPI"], staff.account_id)
    await apply_stocktake(stocktake, today, staff.account_id, staff.email)
    await assert_by(staff, "stocktake_applied")
    other = await make_persona("Bernd Zweiter", Role.staff, None)
    await roles.change_role(other.account_id, "admin", actor=Acting(admin.account_id, ""))
    await assert_by(admin, "account.role_changed")


async def test_the_name_stays_when_the_staff_account_is_deleted(
    staff, volunteer_dora_blocked, today
):
    _, [code] = await title_with_copies()
    await services.checkout(
        volunteer_dora_blocked.card,
        code,
        today=today,
        staff_id=staff.account_id,
        override_reason="ok",
    )
    await Account.delete().where(Account.id == staff.account_id)
    entry = await last_entry()
    assert entry == {"action": "loan.override", "actor": None, "actor_label": "Sabine Theke"}


async def test_deleting_a_borrower_names_the_staff_member_not_the_borrower(staff, walkin_carla):
    await privacy.delete_patron(walkin_carla.patron_id, actor=Acting(staff.account_id, "?"))
    await assert_by(staff, "patron.deleted")
    rows = await AuditLog.select(AuditLog.actor_label, AuditLog.detail)
    assert all("Carla" not in str(r) for r in rows)
