"""Shared fixtures: a fresh database per test, the app, a client per persona, a frozen today.

SQLite (default): migrations run once into a template file; each test gets a copy of it.
PostgreSQL: set MEDIATHEK_TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/test);
a database ``mediathek_test`` on that server is migrated once and truncated before each test.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import asyncpg
import httpx
import pytest
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine

from mediathek.app import create_app
from mediathek.catalogue.barcodes import make_code
from mediathek.db import connection_pool, make_engine, migrate, postgres_config, use_engine
from mediathek.passwords import hash_password
from mediathek.patrons.sessions import start_session
from mediathek.patrons.tables import Account, Patron
from mediathek.piccolo_app import TABLES
from mediathek.settings import Settings
from mediathek.vocab import PatronCategory, Role
from mediathek.web.auth import SESSION_COOKIE

logging.getLogger("httpx").setLevel(logging.WARNING)

PG_URL = os.environ.get("MEDIATHEK_TEST_DATABASE_URL", "")
# One test database per checkout, so that several checkouts can test side by side.
PG_TEST_DB = (
    "mediathek_test_" + hashlib.sha1(str(Path(__file__).resolve()).encode()).hexdigest()[:8]
)
PASSWORD = "richtig-geheim-42"

# A Tuesday outside school holidays and public holidays in NRW.
TODAY = date(2026, 3, 10)


def engine_name() -> str:
    return "postgres" if PG_URL else "sqlite"


async def _recreate_pg_database(name: str = PG_TEST_DB) -> str:
    """An empty database ``name`` on the test server; returns its URL."""
    config = postgres_config(PG_URL)
    conn = await asyncpg.connect(**config)
    try:
        await conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
            name,
        )
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    host, port, user = config["host"], config["port"], config["user"]
    return f"postgresql://{user}@{host}:{port}/{name}"


@pytest.fixture(scope="session")
def database_template(tmp_path_factory) -> str:
    """A migrated database: a SQLite file to copy, or the PostgreSQL test database URL."""
    if PG_URL:
        url = asyncio.run(_recreate_pg_database())
        asyncio.run(migrate(make_engine(url)))
        return url
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    asyncio.run(migrate(make_engine(f"sqlite:///{path}")))
    return str(path)


@pytest.fixture
async def db(database_template, tmp_path) -> AsyncIterator[Engine]:
    """A fresh, migrated, empty database bound to every table."""
    if PG_URL:
        engine = make_engine(database_template)
        use_engine(engine)
        await engine.start_connection_pool(min_size=1, max_size=6)
        # search_word only grows in use (typo suggestions); a test starts with none.
        names = ", ".join([*(f'"{t._meta.tablename}"' for t in TABLES), "search_word"])
        await engine._run_in_pool(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        try:
            yield engine
        finally:
            await engine.close_connection_pool()
    else:
        path = tmp_path / "test.sqlite3"
        shutil.copyfile(database_template, path)
        engine = make_engine(f"sqlite:///{path}")
        use_engine(engine)
        # As in the running app: connections are reused between queries.
        async with connection_pool(engine):
            yield engine


@pytest.fixture
def database_url(db: Engine, tmp_path) -> str:
    if isinstance(db, PostgresEngine):
        return PG_URL.rsplit("/", 1)[0] + "/" + PG_TEST_DB
    return f"sqlite:///{tmp_path / 'test.sqlite3'}"


@pytest.fixture
def today() -> date:
    return TODAY


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key="test-secret-key-that-is-long-enough-0123456789",
        data_dir=tmp_path / "data",
        scheduler_enabled=False,
        base_url="http://testserver.local",
    )


@pytest.fixture
def app(settings, db):
    return create_app(settings, engine=db, own_pool=False)


def http_client(app) -> httpx.AsyncClient:
    """A client that calls the app in the test's own event loop.

    (Litestar's AsyncTestClient runs the app on a portal thread with another loop, which an
    asyncpg pool, bound to one loop, does not survive.) The app's lifespan only binds the
    engine, which the ``db`` fixture has done already.
    """
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver.local"
    )


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    """An anonymous visitor's browser (with a CSRF cookie and header ready)."""
    async with http_client(app) as c:
        await arm_csrf(c)
        yield c


async def arm_csrf(c: httpx.AsyncClient) -> None:
    await c.get("/healthz")
    c.headers["x-csrftoken"] = c.cookies.get("mediathek_csrf", "")


# ---- personas ------------------------------------------------------------------------------

_HASH: list[str] = []


def password_hash() -> str:
    # argon2 is slow by design: hash the persona password once per test session.
    if not _HASH:
        _HASH.append(hash_password(PASSWORD))
    return _HASH[0]


@dataclass
class Persona:
    name: str
    role: Role
    email: str
    account_id: int | None
    patron_id: int | None
    card: str | None
    category: PatronCategory | None


_card_counter = iter(range(900, 10_000))


async def make_persona(
    name: str,
    role: Role | None,
    category: PatronCategory | None,
    *,
    institution: str = "",
    blocked_reason: str = "",
    language: str = "de",
) -> Persona:
    patron_id = card = None
    if category is not None:
        card = make_code("K", next(_card_counter))
        first, _, last = name.partition(" ")
        row = await Patron.insert(
            Patron(
                first_name=first,
                last_name=last or first,
                category=category,
                institution=institution,
                card_barcode=card,
                email=f"{name.lower().replace(' ', '.')}@example.org",
                preferred_language=language,
                blocked_reason=blocked_reason,
                registered_on=date(2025, 1, 1),
                expires_on=date(2030, 1, 1),
            )
        ).returning(Patron.id)
        patron_id = row[0]["id"]
    account_id = None
    email = f"{name.lower().replace(' ', '.')}@example.org"
    if role is not None:
        row = await Account.insert(
            Account(
                email=email,
                password_hash=password_hash(),
                role=role,
                patron=patron_id,
                display_name=name,
            )
        ).returning(Account.id)
        account_id = row[0]["id"]
    return Persona(name, role, email, account_id, patron_id, card, category)


@pytest.fixture
async def staff(db) -> Persona:
    return await make_persona("Sabine Theke", Role.staff, None)


@pytest.fixture
async def admin(db) -> Persona:
    return await make_persona("Adam Admin", Role.admin, None)


@pytest.fixture
async def teacher_anna(db) -> Persona:
    return await make_persona("Anna Berger", Role.teacher, PatronCategory.paid_teacher)


@pytest.fixture
async def volunteer_ben(db) -> Persona:
    return await make_persona(
        "Ben Yilmaz", Role.teacher, PatronCategory.volunteer_teacher, language="en"
    )


@pytest.fixture
async def kita_sonnenschein(db) -> Persona:
    return await make_persona(
        "Kita Sonnenschein",
        Role.teacher,
        PatronCategory.institution,
        institution="Kita Sonnenschein",
    )


@pytest.fixture
async def walkin_carla(db) -> Persona:
    """A volunteer registered at the desk who never logs in."""
    return await make_persona("Carla Demir", None, PatronCategory.volunteer_teacher)


@pytest.fixture
async def volunteer_dora_blocked(db) -> Persona:
    return await make_persona(
        "Dora Gesperrt",
        Role.teacher,
        PatronCategory.volunteer_teacher,
        blocked_reason="Medien seit Monaten überfällig",
    )


@pytest.fixture
def client_for(app):
    """``async with client_for(persona) as c``: a browser logged in as that persona."""
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def _client(persona: Persona) -> AsyncIterator[httpx.AsyncClient]:
        async with http_client(app) as c:
            token = await start_session(persona.account_id)
            c.cookies.set(SESSION_COOKIE, token)
            await arm_csrf(c)
            yield c

    return _client


@pytest.fixture
def data_dir(settings) -> Path:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return settings.data_dir
