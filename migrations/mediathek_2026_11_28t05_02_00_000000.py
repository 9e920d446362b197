"""One-time links minted at delivery; links stored readable before are withdrawn.

Invite and password-reset e-mails used to be stored with their link, readable by every staff
member in the outbox. From now on a notice holds only the id of its link row and the token
is minted while the e-mail is written (``mediathek.patrons.links``). This migration

- adds ``one_time_token.new_email`` (the address an e-mail change moves the login to),
- ends every link that was still unused (its token may have been read from the outbox),
- removes the links from stored notices and fails those still waiting (staff can invite
  again; a person can ask for a new reset link).

Plain SQL that SQLite and PostgreSQL both accept.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-28T05:02:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one-time links minted at delivery"

WITHDRAWN = "[Link aus Sicherheitsgründen entfernt]"
SECRET_KINDS = "('invite', 'password_reset')"

UP = [
    "ALTER TABLE one_time_token ADD COLUMN new_email VARCHAR(254) NOT NULL DEFAULT ''",
    "UPDATE one_time_token SET used_at = created_at WHERE used_at IS NULL",
    "UPDATE notification SET status = 'failed', "
    "last_error = 'Nicht gesendet: der Link wurde aus Sicherheitsgründen zurückgezogen. "
    "Bitte neu einladen bzw. einen neuen Link anfordern.' "
    f"WHERE kind IN {SECRET_KINDS} AND status = 'queued'",
    f"UPDATE notification SET payload = '{{}}', body_text = '{WITHDRAWN}', "
    f"body_html = '<p>{WITHDRAWN}</p>' WHERE kind IN {SECRET_KINDS}",
]

DOWN = [
    "ALTER TABLE one_time_token DROP COLUMN new_email",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="mediathek", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in UP:
            await engine.run_ddl(statement)

    async def run_backwards():
        engine = engine_finder()
        for statement in DOWN:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
