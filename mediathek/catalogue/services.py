"""Catalogue use cases: create, edit and withdraw titles; add copies, change their status.

Each verb loads what it needs, asks ``policy`` and writes in one transaction.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from mediathek import audit
from mediathek.audit import Actor
from mediathek.catalogue import policy
from mediathek.catalogue.copies import add_copies_in_transaction
from mediathek.catalogue.copy_moves import move_copies, move_copy
from mediathek.catalogue.inputs import TitleInput
from mediathek.catalogue.policy import OPEN_BOOKINGS, OPEN_HOLDS
from mediathek.catalogue.tables import (
    Component,
    Copy,
    CopyStatus,
    Title,
    TitleLanguage,
    TitleTopic,
    Topic,
)
from mediathek.db import current_engine, is_sqlite, read_snapshot, write_transaction
from mediathek.errors import Conflict, InvalidInput, NotFound
from mediathek.i18n import _
from mediathek.reservations.tables import Booking, Hold


class IsbnAlreadyCatalogued(Conflict):
    """A title with this ISBN exists: add a copy to it instead of a duplicate."""

    code = "isbn_exists"

    def __init__(self, title_id: int) -> None:
        super().__init__(
            _(
                "Diesen Titel (gleiche ISBN) gibt es schon im Bestand. "
                "Fügen Sie dort ein Exemplar hinzu."
            ),
            title_id=title_id,
        )
        self.title_id = title_id


class TitleHasCirculatingCopies(Conflict):
    code = "title_in_circulation"


def _now() -> datetime:
    return datetime.now(UTC)


# ---- reading -------------------------------------------------------------------------------


async def get_title(title_id: int, *, include_withdrawn: bool = False) -> dict:
    """A title with languages, topics, components and copies (copies with availability)."""
    # Three reads on one connection: the title page is the busiest page after the search, and
    # six separate selects (each built by the ORM, each a connection on SQLite) were most of
    # its time.
    async with read_snapshot():
        # Written out: piccolo took longer to build these selects of every column than the
        # database took to answer them (the same rows and types on both engines).
        sql = "SELECT * FROM title WHERE id = {}"
        if not include_withdrawn:
            sql += " AND withdrawn_at IS NULL"
        rows = await Title.raw(sql, title_id)
        if not rows:
            raise NotFound(_("Diesen Titel gibt es nicht (mehr) im Bestand."))
        row = rows[0]
        parts = await Title.raw(_TITLE_PARTS, title_id, title_id, title_id, title_id)
        copies = await Copy.raw("SELECT * FROM copy WHERE title = {} ORDER BY barcode", title_id)
    row["languages"] = [p["name"] for p in parts if p["kind"] == "l"]
    row["topics"] = [p["name"] for p in parts if p["kind"] == "t"]
    row["components"] = [{"name": p["name"], "quantity": p["n"]} for p in parts if p["kind"] == "c"]
    due = {p["n"]: date.fromisoformat(str(p["name"])[:10]) for p in parts if p["kind"] == "d"}
    for c in copies:
        c["due_on"] = due.get(c["id"])
    row["copies"] = copies
    row["isbn_display"] = policy.display_isbn(row["isbn"])
    return row


# A title's languages (in the order entered), topics (A–Z), components (in checklist order)
# and the due dates of its copies on loan, as rows of one query.
_TITLE_PARTS = (
    "SELECT 'l' AS kind, language AS name, 0 AS n, id AS pos FROM title_language "
    "WHERE title = {} "
    "UNION ALL SELECT 't', topic, 0, 0 FROM title_topic WHERE title = {} "
    "UNION ALL SELECT 'c', name, quantity, position FROM component WHERE title = {} "
    "UNION ALL SELECT 'd', CAST(due_on AS TEXT), copy, 0 FROM loan "
    "WHERE title = {} AND returned_at IS NULL "
    "ORDER BY kind, pos, name"
)


async def title_id_by_isbn(isbn13: str) -> int | None:
    row = await Title.select(Title.id).where(Title.isbn == isbn13).first()
    return row["id"] if row else None


async def topic_names() -> list[str]:
    """The curated topics: the Topic table plus the built-in list, sorted."""
    from mediathek.vocab import TOPICS

    stored = [r["name"] for r in await Topic.select(Topic.name)]
    return sorted({*TOPICS, *stored}, key=str.casefold)


async def list_titles(
    text: str = "",
    media_type: str = "",
    page: int = 1,
    per_page: int = 50,
    include_withdrawn: bool = False,
) -> tuple[list[dict], int]:
    """Staff list: simple filter by words in title/authors/ISBN/barcode and media type."""
    query = Title.select(
        Title.id,
        Title.title,
        Title.subtitle,
        Title.authors,
        Title.isbn,
        Title.media_type,
        Title.publisher,
        Title.year,
        Title.withdrawn_at,
    )
    count = Title.count()
    conditions = []
    if not include_withdrawn:
        conditions.append(Title.withdrawn_at.is_null())
    if media_type:
        conditions.append(Title.media_type == media_type)
    text = text.strip()
    if text:
        isbn = policy.normalise_isbn(text)
        if isbn:
            conditions.append(Title.isbn == isbn)
        else:
            like = f"%{text}%"
            barcode_titles = Copy.select(Copy.title).where(Copy.barcode == text.upper())
            # SQLite's LIKE already ignores case; piccolo warns on ilike there.
            op = "like" if is_sqlite(current_engine()) else "ilike"
            conditions.append(
                getattr(Title.title, op)(like)
                | getattr(Title.authors, op)(like)
                | getattr(Title.subtitle, op)(like)
                | Title.id.is_in(barcode_titles)
            )
    for cond in conditions:
        query = query.where(cond)
        count = count.where(cond)
    total = await count
    rows = await query.order_by(Title.title).limit(per_page).offset((page - 1) * per_page)
    return rows, total


# ---- titles --------------------------------------------------------------------------------


async def _write_children(title_id: int, data: policy.TitleData) -> None:
    await TitleLanguage.delete().where(TitleLanguage.title == title_id)
    await TitleTopic.delete().where(TitleTopic.title == title_id)
    await Component.delete().where(Component.title == title_id)
    if data.languages:
        await TitleLanguage.insert(
            *[TitleLanguage(title=title_id, language=code) for code in data.languages]
        )
    if data.topics:
        await TitleTopic.insert(*[TitleTopic(title=title_id, topic=t) for t in data.topics])
        # New topics join the curated list so the next title can pick them.
        known = {
            r["name"] for r in await Topic.select(Topic.name).where(Topic.name.is_in(data.topics))
        }
        new = [t for t in data.topics if t not in known]
        if new:
            await Topic.insert(*[Topic(name=t) for t in new])
    if data.components:
        await Component.insert(
            *[
                Component(title=title_id, position=i, name=name, quantity=qty)
                for i, (name, qty) in enumerate(data.components)
            ]
        )


def validated(entry: TitleInput, today: date) -> policy.TitleData:
    data, errors = policy.validate_title(entry, today.year)
    if errors or data is None:
        raise InvalidInput(errors=errors)
    return data


async def create_title(
    entry: TitleInput,
    today: date,
    actor: Actor = Actor(),
    *,
    cover_file: str = "",
    copies: int | str = 0,
    shelf_mark: str = "",
    prefix: str = "M",
) -> int:
    """Validate and store a new title, with its first ``copies`` copies in the same
    transaction; refuses a second title with the same ISBN."""
    data, errors = policy.validate_title(entry, today.year)
    n_copies = 0 if str(copies).strip() in ("", "0") else policy.parse_copy_count(copies)
    if n_copies is None:
        errors["copies"] = _("Bitte eine Anzahl Exemplare von 0 bis 200 eingeben.")
    if errors or data is None:
        raise InvalidInput(errors=errors)
    async with write_transaction():
        if data.isbn:
            existing = await title_id_by_isbn(data.isbn)
            if existing:
                raise IsbnAlreadyCatalogued(existing)
        row = await Title.insert(Title(**data.columns(), cover_file=cover_file)).returning(Title.id)
        title_id = row[0]["id"]
        await _write_children(title_id, data)
        if n_copies:
            await add_copies_in_transaction(
                title_id, n_copies, shelf_mark.strip()[:100], prefix, today
            )
        await actor.record(
            "title_created",
            "title",
            title_id,
            title=data.title,
        )
    return title_id


async def update_title(
    title_id: int, entry: TitleInput, today: date, actor: Actor = Actor()
) -> None:
    data = validated(entry, today)
    async with write_transaction():
        current = await Title.select(Title.id).where(Title.id == title_id).first()
        if current is None:
            raise NotFound(_("Diesen Titel gibt es nicht."))
        if data.isbn:
            other = await title_id_by_isbn(data.isbn)
            if other and other != title_id:
                raise InvalidInput(
                    errors={"isbn": _("Diese ISBN gehört schon zu einem anderen Titel.")}
                )
        await Title.update({Title.updated_at: _now()}, **data.columns()).where(Title.id == title_id)
        await _write_children(title_id, data)
        await actor.record(
            "title_updated",
            "title",
            title_id,
        )


async def withdraw_title(title_id: int, actor: Actor = Actor(), note: str = "") -> int:
    """Withdraw a title and all its copies; history (loans) stays.

    Refused while a copy is lent or waits on the pickup shelf: that copy still belongs to
    someone, it has to come back through the desk first. Returns the copies withdrawn.
    """
    async with write_transaction():
        title = await Title.select(Title.id, Title.withdrawn_at).where(Title.id == title_id).first()
        if title is None:
            raise NotFound(_("Diesen Titel gibt es nicht."))
        if title["withdrawn_at"] is not None:
            return 0
        busy = await Copy.count().where(
            Copy.title == title_id,
            Copy.status.is_in([s.value for s in policy.CIRCULATING_STATUSES]),
        )
        if busy:
            raise TitleHasCirculatingCopies(
                _(
                    "%(n)s Exemplar(e) dieses Titels sind ausgeliehen oder liegen im Abholregal. "
                    "Bitte erst an der Theke zurücknehmen, dann aussondern."
                )
                % {"n": busy}
            )
        holds = await Hold.count().where(
            Hold.title == title_id, Hold.status.is_in(list(OPEN_HOLDS))
        )
        bookings = await Booking.count().where(
            Booking.title == title_id, Booking.status.is_in(list(OPEN_BOOKINGS))
        )
        if holds or bookings:
            # Cancelling them means telling the patrons: that is the reservations' job.
            raise TitleHasCirculatingCopies(
                _(
                    "Für diesen Titel sind %(holds)s Vormerkung(en) und %(bookings)s "
                    "Reservierung(en) offen. Bitte diese zuerst stornieren, dann aussondern."
                )
                % {"holds": holds, "bookings": bookings}
            )
        now = _now()
        # What each copy was before: "undo" gives it back that status.
        before = await Copy.select(Copy.id, Copy.status).where(
            Copy.title == title_id, Copy.status != CopyStatus.withdrawn
        )
        copies = await move_copies(policy.CopyEvent.withdraw, title_id=title_id, at=now)
        await Title.update({Title.withdrawn_at: now, Title.updated_at: now}).where(
            Title.id == title_id
        )
        await actor.record(
            "title_withdrawn",
            "title",
            title_id,
            copies=len(copies),
            before={str(c["id"]): str(c["status"]) for c in before},
            note=note.strip()[:500],
        )
    return len(copies)


async def reinstate_title(title_id: int, actor: Actor = Actor()) -> int:
    """Take back "Titel aussondern": the title is in the catalogue again and the copies it
    withdrew (those still withdrawn since) get their earlier status. Returns how many."""
    async with write_transaction():
        title = await Title.select(Title.id, Title.withdrawn_at).where(Title.id == title_id).first()
        if title is None:
            raise NotFound(_("Diesen Titel gibt es nicht."))
        if title["withdrawn_at"] is None:
            raise Conflict(_("Dieser Titel ist nicht ausgesondert."))
        detail = await audit.last_detail("title_withdrawn", "title", title_id)
        before = detail.get("before")
        if not isinstance(before, dict):
            # Withdrawn before statuses were recorded: nothing to go back to safely.
            raise Conflict(_("Diese Aussonderung lässt sich nicht rückgängig machen."))
        now = _now()
        restored = 0
        # Only copies withdrawn with the title: one withdrawn on its own earlier stays so.
        with_title = {
            str(c["id"])
            for c in await Copy.select(Copy.id, Copy.withdrawn_at).where(
                Copy.title == title_id, Copy.status == CopyStatus.withdrawn
            )
            if c["withdrawn_at"] == title["withdrawn_at"]
        }
        for copy_id, status in before.items():
            if copy_id not in with_title or status not in set(CopyStatus):
                continue
            event = policy.REINSTATE_EVENTS.get(CopyStatus(status))
            if event and await move_copy(int(copy_id), event, at=now):
                restored += 1
        await Title.update({Title.withdrawn_at: None, Title.updated_at: now}).where(
            Title.id == title_id
        )
        await actor.record("title_reinstated", "title", title_id, copies=restored)
    return restored
