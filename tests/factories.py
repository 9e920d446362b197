"""Rows for tests: titles, copies, loans, holds, bookings, patrons with their logins, browsers.

Plain functions; the pytest fixtures live in the conftest.py files. Every barcode (copies and
library cards) comes from one counter, so two factories never hand out the same code; it
starts above the numbers the catalogue allocates itself (M0000018 …), which tests assert.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import count
from pathlib import Path

import asyncpg
import httpx
from argon2 import PasswordHasher

from mediathek.catalogue import copies as copy_service
from mediathek.catalogue import services as catalogue_services
from mediathek.catalogue.barcodes import make_code
from mediathek.catalogue.inputs import ComponentInput, NewCopies, TitleInput
from mediathek.catalogue.tables import Component, Copy, CopyStatus, Title, TitleLanguage, TitleTopic
from mediathek.circulation.tables import Loan
from mediathek.clock import now
from mediathek.db import postgres_config
from mediathek.passwords import token_digest
from mediathek.patrons.tables import Account, ApiToken, Patron
from mediathek.reservations.tables import Booking, Hold
from mediathek.vocab import MediaType, PatronCategory, Role

# The engine of the test run: PostgreSQL when this is set, else SQLite.
PG_URL = os.environ.get("MEDIATHEK_TEST_DATABASE_URL", "")
# One PostgreSQL test database per checkout, so that several checkouts can test side by side.
PG_TEST_DB = (
    "mediathek_test_" + hashlib.sha1(str(Path(__file__).resolve()).encode()).hexdigest()[:8]
)
PASSWORD = "richtig-geheim-42"
# The frozen day of the ``today`` fixture: a Tuesday outside school holidays and public
# holidays in NRW.
FROZEN_TODAY = date(2026, 3, 10)
# Creation time of titles that are old news to the statistics.
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)

_numbers = count(10_000)


def next_barcode(prefix: str = "M") -> str:
    return make_code(prefix, next(_numbers))


# ---- titles and copies ---------------------------------------------------------------------


async def add_title(
    title: str = "Bildkarten Obst",
    media_type: str = "book",
    *,
    languages: tuple[str, ...] = ("deu",),
    topics: tuple[str, ...] = (),
    copies: tuple[str, ...] = (CopyStatus.available,),
    components: list[tuple[str, int]] | None = None,
    levels: tuple[str | None, str | None] = (None, None),
    ages: tuple[str | None, str | None] = (None, None),
    **fields,
) -> int:
    """Insert a title; ``copies`` lists each copy's status. Returns the title id."""
    ranges = dict(level_min=levels[0], level_max=levels[1], age_min=ages[0], age_max=ages[1])
    row = await Title.insert(
        Title(title=title, media_type=media_type, **{**ranges, **fields})
    ).returning(Title.id)
    title_id = row[0]["id"]
    if languages:
        await TitleLanguage.insert(*[TitleLanguage(title=title_id, language=c) for c in languages])
    if topics:
        await TitleTopic.insert(*[TitleTopic(title=title_id, topic=t) for t in topics])
    for pos, (part, qty) in enumerate(components or []):
        await Component.insert(Component(title=title_id, position=pos, name=part, quantity=qty))
    for status in copies:
        await add_copy(title_id, status=status)
    return title_id


async def add_copy(
    title_id: int, shelf_mark: str = "", status: str = CopyStatus.available
) -> tuple[int, str]:
    """A copy with the next barcode; returns (copy id, barcode)."""
    code = next_barcode()
    row = await Copy.insert(
        Copy(title=title_id, barcode=code, shelf_mark=shelf_mark, status=status)
    ).returning(Copy.id)
    return row[0]["id"], code


async def title_with_copies(
    name: str = "Bildkarten Obst",
    media_type: MediaType = MediaType.picture_cards,
    copies: int = 1,
    components: list[tuple[str, int]] | None = None,
    isbn: str | None = None,
) -> tuple[int, list[str]]:
    """A title with ``copies`` available copies; returns (title id, copy barcodes)."""
    title_id = await add_title(
        name, media_type, languages=(), copies=(), components=components, isbn=isbn
    )
    return title_id, [(await add_copy(title_id))[1] for _ in range(copies)]


async def title_with_copy_ids(
    copies: int = 1, name: str = "Bildkarten Obst", media_type: MediaType = MediaType.game
) -> tuple[int, list[int]]:
    """A title with ``copies`` available copies; returns (title id, copy ids)."""
    title_id = await add_title(name, media_type, languages=(), copies=())
    return title_id, [(await add_copy(title_id))[0] for _ in range(copies)]


async def catalogued_title(
    copies: int = 0, shelf_mark: str = "DAZ 1", **fields
) -> tuple[int, list[str]]:
    """A textbook entered as staff enter it (through the catalogue services), with ``copies``
    copies numbered by the catalogue; returns (title id, copy barcodes)."""
    parts = [ComponentInput(name, qty) for name, qty in fields.pop("components", [])]
    fields = {
        "title": "Schritte plus Neu 1",
        "media_type": "textbook",
        "authors": "Niebisch, Daniela",
        "publisher": "Hueber",
        "year": "2016",
        "languages": ["deu"],
        "topics": ["Integrationskurs"],
        "level_min": "a1",
        "level_max": "a1",
        **fields,
    }
    entry = TitleInput(**fields, components=parts)
    title_id = await catalogue_services.create_title(entry, FROZEN_TODAY)
    codes = (
        await copy_service.add_copies(title_id, NewCopies(copies, shelf_mark), "M", FROZEN_TODAY)
        if copies
        else []
    )
    return title_id, codes


async def barcode_of(title_id: int) -> str:
    row = await Copy.select(Copy.barcode).where(Copy.title == title_id).first()
    return row["barcode"]


async def copy_status(copy_id: int) -> str:
    row = await Copy.select(Copy.status).where(Copy.id == copy_id).first()
    return row["status"]


# ---- loans ---------------------------------------------------------------------------------


async def lend(copy_id: int, patron_id: int, loaned_on: date, due_on: date | None = None) -> int:
    """A running loan as the desk would leave it (copy on loan); returns the loan id."""
    copy = await Copy.select(Copy.title, Copy.title.media_type).where(Copy.id == copy_id).first()
    row = await Loan.insert(
        Loan(
            copy=copy_id,
            title=copy["title"],
            patron=patron_id,
            patron_category="paid_teacher",
            media_type=copy["title.media_type"],
            loaned_on=loaned_on,
            due_on=due_on or loaned_on + timedelta(days=28),
        )
    ).returning(Loan.id)
    await Copy.update({Copy.status: CopyStatus.on_loan}).where(Copy.id == copy_id)
    return row[0]["id"]


async def give_back(copy_id: int) -> None:
    """What checkin does before asking reservations: close the loan, copy back available."""
    await Loan.update({Loan.returned_at: now()}).where(
        Loan.copy == copy_id, Loan.returned_at.is_null()
    )
    await Copy.update({Copy.status: CopyStatus.available}).where(Copy.id == copy_id)


async def lend_new_title(
    patron_id: int | None,
    due_on: date,
    *,
    title: str = "Bildkarten Obst und Gemüse",
    returned: bool = False,
    reminder_level: int = 0,
) -> dict:
    """A loan of a fresh copy of a fresh title; returns ids and the copy's barcode."""
    title_id = await add_title(title, MediaType.picture_cards, languages=(), copies=())
    copy_id, barcode = await add_copy(title_id, status=CopyStatus.on_loan)
    loan_id = (
        await Loan.insert(
            Loan(
                copy=copy_id,
                title=title_id,
                patron=patron_id,
                patron_category="paid_teacher",
                media_type=MediaType.picture_cards,
                loaned_on=due_on - timedelta(days=28),
                due_on=due_on,
                reminder_level=reminder_level,
                returned_at=datetime.now(UTC) if returned else None,
            )
        ).returning(Loan.id)
    )[0]["id"]
    return {"loan_id": loan_id, "copy_id": copy_id, "barcode": barcode, "title": title}


async def close_loan(loan_id: int) -> None:
    """The loan returned now (the copy's status left as it is)."""
    await Loan.update({Loan.returned_at: datetime.now(UTC)}).where(Loan.id == loan_id)


async def add_loan(
    copy_id: int,
    patron_id: int,
    loaned_on: date,
    returned_on: date | None = None,
) -> int:
    """A loan for the statistics: lent at 10:00 and, if returned, back at 12:00 of those days
    (the copy's status left as it is)."""
    copy = await Copy.select(Copy.title, Copy.title.media_type).where(Copy.id == copy_id).first()
    patron = await Patron.select(Patron.category).where(Patron.id == patron_id).first()
    returned_at = datetime.combine(returned_on, time(12), UTC) if returned_on is not None else None
    row = await Loan.insert(
        Loan(
            copy=copy_id,
            title=copy["title"],
            patron=patron_id,
            patron_category=patron["category"],
            media_type=copy["title.media_type"],
            loaned_at=datetime.combine(loaned_on, time(10), UTC),
            loaned_on=loaned_on,
            due_on=loaned_on,
            returned_at=returned_at,
        )
    ).returning(Loan.id)
    return row[0]["id"]


# ---- patrons and their logins --------------------------------------------------------------

# The personas' password hash, with the cheapest argon2id parameters: argon2 is slow by design
# and every login of a persona verifies it (a hash carries its parameters). Accounts that
# register or set a password in the tests get the production parameters, which
# tests/unit/test_passwords.py asserts.
PERSONA_PASSWORD_HASH = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)


@dataclass
class Persona:
    name: str
    role: Role | None
    email: str
    account_id: int | None
    patron_id: int | None
    card: str | None
    category: PatronCategory | None


async def make_persona(
    name: str,
    role: Role | None,
    category: PatronCategory | None,
    *,
    institution: str = "",
    blocked_reason: str = "",
    language: str = "de",
) -> Persona:
    """A patron (when ``category`` is given) and a login (when ``role`` is given)."""
    patron_id = card = None
    email = f"{name.lower().replace(' ', '.')}@example.org"
    if category is not None:
        card = next_barcode("K")
        first, _, last = name.partition(" ")
        row = await Patron.insert(
            Patron(
                first_name=first,
                last_name=last or first,
                category=category,
                institution=institution,
                card_barcode=card,
                email=email,
                preferred_language=language,
                blocked_reason=blocked_reason,
                registered_on=date(2025, 1, 1),
                expires_on=date(2030, 1, 1),
            )
        ).returning(Patron.id)
        patron_id = row[0]["id"]
    account_id = None
    if role is not None:
        row = await Account.insert(
            Account(
                email=email,
                password_hash=PERSONA_PASSWORD_HASH,
                role=role,
                patron=patron_id,
                display_name=name,
            )
        ).returning(Account.id)
        account_id = row[0]["id"]
    return Persona(name, role, email, account_id, patron_id, card, category)


@dataclass
class AnnasThings:
    """Objects owned by teacher_anna (a loan, a hold, a booking …) for access-rule tests."""

    title_id: int
    copy_id: int
    loan_id: int
    hold_id: int
    booking_id: int
    returned_loan_id: int
    token_id: int
    loan_title: str


async def annas_things(anna: Persona, staff: Persona, today: date) -> AnnasThings:
    title_id = await add_title(
        "Wimmelbuch Stadt (Annas Ausleihe)", "picture_book", languages=(), copies=()
    )
    other_id = await add_title("Memo Tiere (Annas Vormerkung)", "game", languages=(), copies=())
    copies = await Copy.insert(
        Copy(title=title_id, barcode="M0000018", status=CopyStatus.on_loan),
        Copy(title=title_id, barcode="M0000026"),
        Copy(title=other_id, barcode="M0000034"),
    ).returning(Copy.id)
    loan_common = dict(
        title=title_id,
        patron=anna.patron_id,
        patron_category="paid_teacher",
        media_type="picture_book",
    )
    loan = await Loan.insert(
        Loan(
            copy=copies[0]["id"], loaned_on=today, due_on=today + timedelta(days=28), **loan_common
        )
    ).returning(Loan.id)
    returned = await Loan.insert(
        Loan(
            copy=copies[1]["id"],
            loaned_on=today - timedelta(days=40),
            due_on=today - timedelta(days=12),
            returned_at=datetime(2026, 2, 20, 10, tzinfo=UTC),
            **loan_common,
        )
    ).returning(Loan.id)
    hold = await Hold.insert(Hold(title=other_id, patron=anna.patron_id)).returning(Hold.id)
    booking = await Booking.insert(
        Booking(
            title=title_id,
            patron=anna.patron_id,
            copy=copies[1]["id"],
            start_on=today + timedelta(days=30),
            end_on=today + timedelta(days=35),
        )
    ).returning(Booking.id)
    token = await ApiToken.insert(
        ApiToken(account=staff.account_id, name="Skript", token_hash=token_digest("t" * 40))
    ).returning(ApiToken.id)
    return AnnasThings(
        title_id=title_id,
        copy_id=copies[0]["id"],
        loan_id=loan[0]["id"],
        hold_id=hold[0]["id"],
        booking_id=booking[0]["id"],
        returned_loan_id=returned[0]["id"],
        token_id=token[0]["id"],
        loan_title="Wimmelbuch Stadt (Annas Ausleihe)",
    )


def path_values(things: AnnasThings, anna: Persona) -> dict[str, object]:
    """Each known path parameter name mapped to an object of anna's, so the route matrix
    covers routes such as ``{loan_id:int}`` without being edited."""
    return {
        "patron_id": anna.patron_id,
        "account_id": anna.account_id,
        "title_id": things.title_id,
        "copy_id": things.copy_id,
        "loan_id": things.loan_id,
        "hold_id": things.hold_id,
        "booking_id": things.booking_id,
        "token_id": things.token_id,
    }


# ---- browsers ------------------------------------------------------------------------------


def http_client(app) -> httpx.AsyncClient:
    """A client that calls the app in the test's own event loop.

    (Litestar's AsyncTestClient runs the app on a portal thread with another loop, which an
    asyncpg pool, bound to one loop, does not survive.) The app's lifespan only binds the
    engine, which the ``db`` fixture has done already.
    """
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver.local"
    )


async def arm_csrf(c: httpx.AsyncClient) -> None:
    """A CSRF cookie, and its header ready for the next unsafe request."""
    await c.get("/healthz")
    c.headers["x-csrftoken"] = c.cookies.get("mediathek_csrf", "")


def next_years_monday() -> date:
    """A Monday in February of next year: the pages use the real clock, and Monday to Friday
    of that week are opening days (NRW has no public holiday in February)."""
    first = date(date.today().year + 1, 2, 8)
    return first + timedelta(days=(7 - first.weekday()) % 7)


async def recreate_pg_database(name: str = PG_TEST_DB) -> str:
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
