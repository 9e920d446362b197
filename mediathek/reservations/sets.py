"""Sets: titles with quantities that staff put together once ("Kita-Sprachförderpaket A1")
and teachers book as one, through the same booking as the Merkliste."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mediathek import audit
from mediathek.catalogue.tables import Title
from mediathek.clock import now
from mediathek.db import lock_rows, write_transaction
from mediathek.errors import InvalidInput, NotFound
from mediathek.i18n import _
from mediathek.reservations import basket, policy
from mediathek.reservations.basket import BasketResult, Line
from mediathek.reservations.tables import BasketItem, TitleSet, TitleSetItem

NAME_LENGTH = 200
DESCRIPTION_LENGTH = 2000


@dataclass(frozen=True)
class SetDraft:
    """A set as staff typed it: name, description and (title, quantity) lines."""

    name: str
    description: str
    lines: tuple[Line, ...]


async def list_sets() -> list[dict]:
    """Every set with its titles (name order), for the teachers' page and the staff page."""
    sets = await TitleSet.select(TitleSet.id, TitleSet.name, TitleSet.description).order_by(
        TitleSet.name
    )
    rows = await TitleSetItem.select(
        TitleSetItem.title_set,
        TitleSetItem.quantity,
        TitleSetItem.title.id.as_alias("title_id"),
        TitleSetItem.title.title.as_alias("title"),
        TitleSetItem.title.withdrawn_at.as_alias("withdrawn_at"),
    ).order_by(TitleSetItem.id)
    by_set: dict[int, list[dict]] = {}
    for r in rows:
        by_set.setdefault(r["title_set"], []).append(r)
    return [{**s, "items": by_set.get(s["id"], [])} for s in sets]


async def get_set(set_id: int) -> dict:
    found = next((s for s in await list_sets() if s["id"] == set_id), None)
    if found is None:
        raise NotFound(_("Dieses Set gibt es nicht."))
    return found


async def _check(draft: SetDraft, set_id: int | None) -> None:
    """German messages per field for a set that cannot be saved."""
    errors: dict[str, str] = {}
    name = draft.name.strip()
    if not name:
        errors["name"] = _("Bitte geben Sie dem Set einen Namen.")
    elif len(name) > NAME_LENGTH:
        errors["name"] = _("Der Name darf höchstens %(num)s Zeichen haben.") % {"num": NAME_LENGTH}
    elif await TitleSet.exists().where(
        TitleSet.name == name, *([TitleSet.id != set_id] if set_id else [])
    ):
        errors["name"] = _("Ein Set mit diesem Namen gibt es schon.")
    if len(draft.description) > DESCRIPTION_LENGTH:
        errors["description"] = _("Die Beschreibung darf höchstens %(num)s Zeichen haben.") % {
            "num": DESCRIPTION_LENGTH
        }
    if not draft.lines:
        errors["titles"] = _("Bitte mindestens einen Titel in das Set aufnehmen.")
    else:
        ids = [line.title_id for line in draft.lines]
        titles = {
            t["id"]: t
            for t in await Title.select(Title.id, Title.title, Title.withdrawn_at).where(
                Title.id.is_in(ids)
            )
        }
        copies = await basket.bookable_copies(ids)
        problems = []
        for line in draft.lines:
            title = titles.get(line.title_id)
            if title is None or title["withdrawn_at"] is not None:
                problems.append(
                    _("Den Titel Nr. %(id)s gibt es nicht (mehr).") % {"id": line.title_id}
                )
                continue
            error = policy.quantity_error(
                title["title"], line.quantity, copies.get(line.title_id, 0)
            )
            if error:
                problems.append(error)
        if problems:
            errors["titles"] = " ".join(problems)
    if errors:
        raise InvalidInput(" ".join(errors.values()), errors=errors)


def _merged(lines: tuple[Line, ...]) -> tuple[Line, ...]:
    return tuple(basket._merged(list(lines)))


async def save_set(draft: SetDraft, set_id: int | None, staff_id: int | None) -> int:
    """Create (``set_id`` None) or change a set; its lines are replaced as a whole."""
    draft = SetDraft(draft.name.strip(), draft.description.strip(), _merged(draft.lines))
    async with write_transaction():
        if set_id is not None and not await TitleSet.exists().where(TitleSet.id == set_id):
            raise NotFound(_("Dieses Set gibt es nicht."))
        await _check(draft, set_id)
        if set_id is None:
            rows = await TitleSet.insert(
                TitleSet(
                    name=draft.name,
                    description=draft.description,
                    created_at=now(),
                    updated_at=now(),
                )
            ).returning(TitleSet.id)
            set_id = int(rows[0]["id"])
        else:
            await TitleSet.update(
                {
                    TitleSet.name: draft.name,
                    TitleSet.description: draft.description,
                    TitleSet.updated_at: now(),
                }
            ).where(TitleSet.id == set_id)
            await TitleSetItem.delete().where(TitleSetItem.title_set == set_id)
        await TitleSetItem.insert(
            *[
                TitleSetItem(title_set=set_id, title=line.title_id, quantity=line.quantity)
                for line in draft.lines
            ]
        )
        await audit.record(
            "title_set.saved", actor_id=staff_id, object_type="title_set", object_id=set_id
        )
        return set_id


async def delete_set(set_id: int, staff_id: int | None) -> None:
    """Bookings made from the set stay: they are bookings of titles, not of the set."""
    async with write_transaction():
        rows = await TitleSet.delete().where(TitleSet.id == set_id).returning(TitleSet.id)
        if not rows:
            raise NotFound(_("Dieses Set gibt es nicht."))
        await audit.record(
            "title_set.deleted", actor_id=staff_id, object_type="title_set", object_id=set_id
        )


async def set_lines(set_id: int) -> list[Line]:
    rows = await TitleSetItem.select(TitleSetItem.title, TitleSetItem.quantity).where(
        TitleSetItem.title_set == set_id
    )
    if not rows and not await TitleSet.exists().where(TitleSet.id == set_id):
        raise NotFound(_("Dieses Set gibt es nicht."))
    return [Line(r["title"], r["quantity"]) for r in rows]


async def book_set(
    set_id: int, patron_id: int, start_on: date, end_on: date, today: date
) -> BasketResult:
    """Book every title of the set in its quantity for the range (one transaction)."""
    async with write_transaction():
        await lock_rows("patron", patron_id)
        lines = await set_lines(set_id)
        if not lines:
            raise InvalidInput(_("Dieses Set enthält keine Titel."))
        return await basket.book_lines(patron_id, lines, start_on, end_on, today)


async def add_set_to_basket(set_id: int, patron_id: int) -> int:
    """Put the titles of the set on her Merkliste (to book them with others); returns how
    many titles were new there."""
    added = 0
    async with write_transaction():
        for line in await set_lines(set_id):
            exists = await BasketItem.exists().where(
                BasketItem.patron == patron_id, BasketItem.title == line.title_id
            )
            if not exists:
                try:
                    added += await basket.add(patron_id, line.title_id, line.quantity)
                except (NotFound, InvalidInput):
                    continue  # withdrawn since, or fewer copies now: the list says so later
    return added
