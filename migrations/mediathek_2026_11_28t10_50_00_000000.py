"""A loan's due reason is stored as a code with its parameter, not as a German sentence.

Until now ``loan.due_reason`` held the German sentence ("Kürzere Leihfrist: Der Ausweis läuft
am 05.04.2026 ab. …"), so a borrower reading Mein Konto, her receipt or the API in English,
Ukrainian or Arabic read it in German. Now it holds ``card:2026-04-05`` (or ``booking:…``,
``booking_end:…``, ``closure:<label>``) and every page renders the sentence in the reader's
language. The sentences written before are turned into codes here; one that matches none of
them stays as it is (it is still shown as written).
"""

import re
from datetime import date

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

ID = "2026-11-28T10:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "due reasons as codes"

_DAY = r"(\d{2})\.(\d{2})\.(\d{4})"
_SENTENCES = [
    (
        "booking",
        re.compile(
            r"Kürzere Leihfrist: Dieses Exemplar ist danach für einen Zeitraum reserviert "
            r"und muss bis " + _DAY + r" zurück\."
        ),
    ),
    ("card", re.compile(r"Kürzere Leihfrist: Der Ausweis läuft am " + _DAY + r" ab\..*")),
    ("booking_end", re.compile(r"Bis zum Ende Ihrer Reservierung \(" + _DAY + r"\)\.")),
]
_CLOSURE = re.compile(r"Verschoben auf den nächsten Öffnungstag \(geschlossen: (.*)\)\.", re.S)


def convert(text: str) -> str | None:
    """The code of an old German reason, or None when it is no sentence the system wrote."""
    for code, pattern in _SENTENCES:
        if m := pattern.fullmatch(text.strip()):
            try:
                day = date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            except ValueError:
                return None
            return f"{code}:{day.isoformat()}"
    if m := _CLOSURE.fullmatch(text.strip()):
        return f"closure:{m.group(1)}"
    return None


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="mediathek", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        rows = await engine.run_querystring(
            QueryString("SELECT id, due_reason FROM loan WHERE due_reason <> ''")
        )
        for row in rows:
            code = convert(row["due_reason"])
            if code is not None:
                await engine.run_querystring(
                    QueryString("UPDATE loan SET due_reason = {} WHERE id = {}", code, row["id"])
                )

    manager.add_raw(run)
    return manager
