"""Audit log: name the staff member on entries written with only an account id.

Entries of the desk (exceptions, renewals, undo) and of imports stored the acting account but
no label, so the log page showed nobody, and once the account was deleted nobody could tell.
From now on ``mediathek.audit.record`` writes the label; this fills it in for older entries
whose account still exists. Borrowers' accounts are labelled by role only, not by name.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-28T05:05:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit log actor labels"

FILL = (
    "UPDATE audit_log SET actor_label = COALESCE(("
    "SELECT CASE WHEN a.role IN ('staff', 'admin') "
    "THEN COALESCE(NULLIF(TRIM(a.display_name), ''), a.email) ELSE 'Ausleihende*r' END "
    "FROM account a WHERE a.id = audit_log.actor), '') "
    "WHERE actor_label = '' AND actor IS NOT NULL"
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="mediathek", description=DESCRIPTION)

    async def run():
        await engine_finder().run_ddl(FILL)

    async def run_backwards():
        pass  # the labels are correct either way

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
