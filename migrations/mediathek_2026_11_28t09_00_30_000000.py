"""E-mail texts: one subject and one body per notice and language instead of three files.

Adaptations an admin made before (``email_template:<kind>.<lang>.<part>``) become the new
``email_text:<kind>.<lang>`` (subject + body): the text part becomes the body, its include of
the media list becomes ``{{ item_list }}``, the footer include goes (every e-mail has the
footer now). An adapted HTML part has no successor, since the HTML is made from the text; when
a notice had only its HTML adapted, its text stays the standard one.
"""

import json
import re

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

ID = "2026-11-28T09:00:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "email texts per language"

OLD = "email_template:"
NEW = "email_text:"
_ITEMS = re.compile(r"""\{%-?\s*include\s+["']_items\.\w+\.txt["']\s*-?%\}""")
_FOOTER = re.compile(r"""\n?\{%-?\s*include\s+["']_footer\.\w+\.txt["']\s*-?%\}\n?""")


def _value(raw):
    value = json.loads(raw) if isinstance(raw, str) else raw
    if isinstance(value, dict) and "v" in value:
        value = value["v"]
    return value if isinstance(value, str) else None


def convert(rows: list[tuple[str, object]]) -> dict[str, dict[str, str]]:
    """Old adaptations (key, stored value) → new texts by ``<kind>.<lang>``."""
    parts: dict[str, dict[str, str]] = {}
    for key, raw in rows:
        name = key.removeprefix(OLD)
        kind_lang, _, part = name.rpartition(".")
        if part == "txt" and kind_lang.endswith(".subject"):
            kind_lang, part = kind_lang.removesuffix(".subject"), "subject"
        text = _value(raw)
        if text is not None and kind_lang.count(".") == 1:
            parts.setdefault(kind_lang, {})[part] = text
    out = {}
    for name, found in parts.items():
        if "txt" not in found:
            continue
        body = _FOOTER.sub("\n", _ITEMS.sub("{{ item_list }}", found["txt"])).strip()
        out[name] = {"subject": " ".join(found.get("subject", "").split()), "body": body}
    return out


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="mediathek", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        rows = await engine.run_querystring(
            QueryString("SELECT key, value FROM site_setting WHERE key LIKE {}", OLD + "%")
        )
        for name, text in convert([(row["key"], row["value"]) for row in rows]).items():
            await engine.run_querystring(
                QueryString(
                    "INSERT INTO site_setting (key, value, updated_at, note) "
                    "VALUES ({}, {}, CURRENT_TIMESTAMP, '')",
                    NEW + name,
                    json.dumps({"v": text}),
                )
            )
        await engine.run_querystring(
            QueryString("DELETE FROM site_setting WHERE key LIKE {}", OLD + "%")
        )

    manager.add_raw(run)
    return manager
