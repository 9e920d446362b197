"""Shared fixtures: a fresh database per test, the app, a client per persona, a frozen today.

SQLite (default): migrations run once into a template file; each test gets a copy of it.
PostgreSQL: set MEDIATHEK_TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/test);
a database ``mediathek_test`` on that server is migrated once and truncated before each test.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import shutil
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from litestar import Litestar
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine

from mediathek.app import create_app
from mediathek.db import connection_pool, make_engine, migrate, use_engine
from mediathek.info.services import SiteInfoCache
from mediathek.patrons.sessions import start_session
from mediathek.piccolo_app import TABLES
from mediathek.settings import Settings
from mediathek.vocab import PatronCategory, Role
from mediathek.web.auth import SESSION_COOKIE
from tests.factories import (
    FROZEN_TODAY,
    PG_TEST_DB,
    PG_URL,
    Persona,
    arm_csrf,
    http_client,
    make_persona,
    recreate_pg_database,
)
from tests.fakes import SmtpServer

logging.getLogger("httpx").setLevel(logging.WARNING)


def engine_name() -> str:
    return "postgres" if PG_URL else "sqlite"


@pytest.fixture(scope="session")
def database_template(tmp_path_factory) -> str:
    """A migrated database: a SQLite file to copy, or the PostgreSQL test database URL."""
    if PG_URL:
        url = asyncio.run(recreate_pg_database())
        asyncio.run(migrate(make_engine(url)))
        return url
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    asyncio.run(migrate(make_engine(f"sqlite:///{path}")))
    return str(path)


# search_word only grows in use (typo suggestions); a test starts with none.
_PG_TABLES = [*(t._meta.tablename for t in TABLES), "search_word"]
_PG_FILLED = " UNION ALL ".join(
    f"SELECT '{name}' AS name WHERE EXISTS (SELECT 1 FROM \"{name}\")" for name in _PG_TABLES
)
# Every id sequence of those tables back to 1, also where an insert was rolled back.
_PG_RESTART_IDS = (
    "SELECT setval(s.oid, 1, false) FROM pg_class s"
    " JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid"
    " AND d.deptype IN ('a', 'i')"
    " JOIN pg_class t ON t.oid = d.refobjid"
    " WHERE s.relkind = 'S' AND t.relname = ANY(ARRAY["
    + ", ".join(f"'{name}'" for name in _PG_TABLES)
    + "])"
)


async def empty_pg_tables(engine: Engine) -> None:
    """Every table empty and every id back at 1, as after the migrations.

    Only the tables that hold rows are truncated: TRUNCATE gives each table a new file, which
    costs ~1 s for all of them on a busy machine, while a test writes to a few.
    """
    filled = [row["name"] for row in await engine._run_in_pool(_PG_FILLED)]
    if filled:
        names = ", ".join(f'"{name}"' for name in filled)
        await engine._run_in_pool(f"TRUNCATE {names} CASCADE")
    await engine._run_in_pool(_PG_RESTART_IDS)


@pytest.fixture
async def db(database_template, tmp_path) -> AsyncIterator[Engine]:
    """A fresh, migrated, empty database bound to every table."""
    if PG_URL:
        engine = make_engine(database_template)
        use_engine(engine)
        await engine.start_connection_pool(min_size=1, max_size=6)
        await empty_pg_tables(engine)
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
    """The frozen day of the tests: a Tuesday outside school holidays and public holidays."""
    return FROZEN_TODAY


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key="test-secret-key-that-is-long-enough-0123456789",
        data_dir=tmp_path / "data",
        scheduler_enabled=False,
        base_url="http://testserver.local",
    )


# Apps built in this test run, by the settings that shape them: building one takes 0.25–0.5 s
# (seconds on a busy machine), and nearly every test has the same settings.
_APPS: dict[Settings, Litestar] = {}


@pytest.fixture
def app(settings, db) -> Litestar:
    """The app for this test's settings and database.

    Routes, middleware and templates depend on the settings only, apart from where the
    database and the data folder are: an app built for otherwise equal settings is reused,
    with this test's settings, engine and an empty site-info cache bound to it. (A test that
    builds an app with other settings calls ``create_app`` itself.)
    """
    shape = dataclasses.replace(settings, database_url="", data_dir=Path())
    app = _APPS.get(shape)
    if app is None:
        app = _APPS[shape] = create_app(settings, engine=db, own_pool=False)
    app.state.settings = settings
    app.state.engine = db
    app.state.site_info = SiteInfoCache()
    app.template_engine.engine.globals["settings"] = settings
    use_engine(db)
    return app


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    """An anonymous visitor's browser (with a CSRF cookie and header ready)."""
    async with http_client(app) as c:
        await arm_csrf(c)
        yield c


# ---- personas ------------------------------------------------------------------------------


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


# ---- mail ----------------------------------------------------------------------------------


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on 127.0.0.1; ``smtp_server.inbox.messages`` holds mail."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_settings(settings, smtp_server):
    return dataclasses.replace(
        settings, smtp_host="127.0.0.1", smtp_port=smtp_server.port, smtp_timeout=5
    )
