"""schemathesis against /schema/openapi.json, logged in as staff with an API token:
no 5xx, no response that breaks its schema, every 4xx a problem document."""

import asyncio
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest

from mediathek.db import postgres_config
from mediathek.passwords import new_token, token_digest

STAFF = "SELECT id FROM account WHERE email = 'theke@mediathek.example'"


def staff_token(database_url: str) -> str:
    token = new_token()
    if database_url.startswith("postgresql://"):
        asyncio.run(_pg_staff_token(database_url, token_digest(token)))
        return token
    with sqlite3.connect(database_url.removeprefix("sqlite:///")) as conn:
        (account_id,) = conn.execute(STAFF).fetchone()
        conn.execute(
            "INSERT INTO api_token (account, name, token_hash, created_at) VALUES (?, ?, ?, ?)",
            (account_id, "schemathesis", token_digest(token), datetime.now(UTC).isoformat()),
        )
    return token


async def _pg_staff_token(database_url: str, digest: str) -> None:
    conn = await asyncpg.connect(**postgres_config(database_url))
    try:
        account_id = await conn.fetchval(STAFF)
        await conn.execute(
            "INSERT INTO api_token (account, name, token_hash, created_at) "
            "VALUES ($1, 'schemathesis', $2, now())",
            account_id,
            digest,
        )
    finally:
        await conn.close()


def test_api_survives_schemathesis(live_server):
    import json
    import urllib.request

    schema = json.load(urllib.request.urlopen(f"{live_server.url}/schema/openapi.json"))
    if not any(path.startswith("/api/") for path in schema["paths"]):
        pytest.skip("the app has no /api operations")
    token = staff_token(live_server.database_url)
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "tests.e2e.schemathesis_hooks",
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "run",
            f"{live_server.url}/schema/openapi.json",
            "--include-path-regex",
            "^/api/",
            "-H",
            f"Authorization: Bearer {token}",
            "--checks",
            "not_a_server_error,response_schema_conformance,problem_document_on_client_errors",
            "--max-examples",
            os.environ.get("MEDIATHEK_FUZZ_EXAMPLES", "25"),
            "--generation-database",
            "none",
            "--request-timeout",
            "20",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
