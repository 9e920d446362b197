"""Staff reserve for a borrower (at the desk, on the borrower page, through the API): the
same holds and bookings a teacher makes online, also for borrowers without a login, with the
usual e-mails to the borrower and an audit entry naming who placed it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from mediathek import audit, i18n
from mediathek.catalogue.services import list_titles
from mediathek.catalogue.tables import Title
from mediathek.db import write_transaction
from mediathek.errors import DomainError, InvalidInput, NotFound
from mediathek.i18n import _
from mediathek.patrons.tables import Patron
from mediathek.reservations import basket, services, sets
from mediathek.reservations.basket import BasketResult

# Title words that fit more titles than this are too vague to offer as a choice.
TITLE_CHOICES = 6


@dataclass(frozen=True)
class Placed:
    kind: str  # "hold" or "booking"
    id: int
    message: str  # what the desk tells the person at the counter


async def titles_for(text: str) -> list[dict]:
    """Titles a person at the desk may mean: a title number, an ISBN, a copy's barcode or
    words of the title or author (``list_titles`` knows the last three)."""
    text = text.strip()[:200]
    if not text:
        return []
    if text.isdigit() and len(text) < 10:
        return await Title.select(Title.id, Title.title).where(
            Title.id == int(text), Title.withdrawn_at.is_null()
        )
    rows, _ = await list_titles(text, per_page=TITLE_CHOICES + 1)
    exact = [r for r in rows if r["title"].casefold() == text.casefold()]
    return exact if len(exact) == 1 else rows


async def place_for(
    patron_id: int,
    title_id: int,
    *,
    start_on: date | None,
    end_on: date | None,
    today: date,
    staff_id: int | None,
) -> Placed:
    """A hold (no dates) or a booking (both dates) placed by staff for the borrower."""
    if (start_on is None) != (end_on is None):
        raise InvalidInput(
            _(
                "Für eine Reservierung bitte den ersten und den letzten Tag angeben; "
                "ohne Daten wird vorgemerkt."
            )
        )
    async with write_transaction():
        patron = (
            await Patron.select(Patron.first_name, Patron.last_name, Patron.email)
            .where(Patron.id == patron_id)
            .first()
        )
        if patron is None:
            raise NotFound(_("Diese Person gibt es nicht."))
        name = f"{patron['first_name']} {patron['last_name']}".strip()
        title = await Title.select(Title.title).where(Title.id == title_id).first()
        heading = _("„%(title)s“") % {"title": title["title"]} if title else _("Der Titel")
        mail = (
            _("Sie bekommt die üblichen E-Mails.")
            if patron["email"]
            else _("Keine E-Mail-Adresse hinterlegt: bitte telefonisch Bescheid geben.")
        )
        if start_on is not None and end_on is not None:
            booking_id = await services.book(patron_id, title_id, start_on, end_on, today)
            done = _("Reserviert: %(title)s für %(name)s vom %(start)s bis %(end)s.") % {
                "title": heading,
                "name": name,
                "start": i18n.format_day(start_on),
                "end": i18n.format_day(end_on),
            }
            placed = Placed("booking", booking_id, f"{done} {mail}")
        else:
            result = await services.place_hold(patron_id, title_id, today)
            where = (
                _(
                    "Ein Exemplar ist für %(name)s zurückgelegt (abholen bis %(date)s): bitte "
                    "aus dem Regal holen und ins Abholregal legen."
                )
                % {"name": name, "date": i18n.format_day(result.pickup_until)}
                if result.pickup_until
                else _("%(name)s steht auf Platz %(position)s der Warteliste.")
                % {"name": name, "position": result.position}
            )
            done = _("Vorgemerkt: %(title)s.") % {"title": heading}
            placed = Placed("hold", result.hold_id, f"{done} {where} {mail}")
        await audit.record(
            f"{placed.kind}.placed_for_patron",
            actor_id=staff_id,
            object_type=placed.kind,
            object_id=placed.id,
            patron_id=patron_id,
            title_id=title_id,
        )
    return placed


async def book_many_for(
    patron_id: int,
    *,
    set_id: int | None,
    start_on: date,
    end_on: date,
    today: date,
    staff_id: int | None,
) -> BasketResult:
    """Staff book a set (``set_id``) or the borrower's own Merkliste (None) for her: the same
    booking as online, the usual e-mails to her, an audit entry per booking naming the staff."""
    async with write_transaction():
        if not await Patron.exists().where(Patron.id == patron_id):
            raise NotFound(_("Diese Person gibt es nicht."))
        if set_id is None:
            result = await basket.book_basket(patron_id, start_on, end_on, today)
        else:
            result = await sets.book_set(set_id, patron_id, start_on, end_on, today)
        for line in result.lines:
            for booking_id in line.booking_ids:
                await audit.record(
                    "booking.placed_for_patron",
                    actor_id=staff_id,
                    object_type="booking",
                    object_id=booking_id,
                    patron_id=patron_id,
                    title_id=line.title_id,
                    title_set_id=set_id,
                )
    return result


@dataclass
class Reply:
    """The answer to the reservation form: done, refused, or which title is meant."""

    ok: bool
    message: str
    titles: list[dict] = field(default_factory=list)  # when the words fit several
    start_on: str = ""  # kept for the choice buttons
    end_on: str = ""


@dataclass(frozen=True)
class Wanted:
    """What the reservation form asks for: a chosen title (``title_id``) or words to find
    one (``title_text``), and a range for a booking (none for a hold)."""

    title_text: str = ""
    title_id: int | None = None
    start_on: date | None = None
    end_on: date | None = None


def parse_wanted(form: Mapping[str, str]) -> Wanted:
    """The reservation form (its fields as text: ``titel``, ``title_id``, ``start_on``,
    ``end_on``) as ``Wanted``. Raises InvalidInput for a bad number or date."""
    title_id = None
    raw_id = form.get("title_id", "").strip()
    if raw_id:
        if not raw_id.isdigit() or not 1 <= int(raw_id) <= 2**31 - 1:
            raise InvalidInput(_("Ungültige Titelnummer."))
        title_id = int(raw_id)
    days = []
    for name in ("start_on", "end_on"):
        value = form.get(name, "").strip()
        try:
            days.append(date.fromisoformat(value) if value else None)
        except ValueError as exc:
            raise InvalidInput(_("Bitte das Datum als TT.MM.JJJJ angeben.")) from exc
    return Wanted(form.get("titel", "")[:200], title_id, days[0], days[1])


def refused(exc: DomainError) -> Reply:
    """The answer to a form that cannot be carried out: its messages in one line."""
    errors = getattr(exc, "errors", None)
    return Reply(False, " ".join(errors.values()) if errors else exc.message)


async def reserve(patron_id: int, wanted: Wanted, *, today: date, staff_id: int | None) -> Reply:
    """The form sent at the desk or on the borrower page, answered in the reader's words."""
    try:
        title_id = wanted.title_id
        if title_id is None:
            titles = await titles_for(wanted.title_text)
            if not titles:
                return Reply(
                    False,
                    _("Keinen Titel zu „%(text)s“ gefunden.")
                    % {"text": wanted.title_text.strip()[:100]},
                )
            if len(titles) > 1:
                shown = titles[:TITLE_CHOICES]
                return Reply(
                    True,
                    _("Welcher Titel ist gemeint? (und weitere – bitte genauer eingeben)")
                    if len(titles) > len(shown)
                    else _("Welcher Titel ist gemeint?"),
                    [{"id": t["id"], "title": t["title"]} for t in shown],
                    wanted.start_on.isoformat() if wanted.start_on else "",
                    wanted.end_on.isoformat() if wanted.end_on else "",
                )
            title_id = titles[0]["id"]
        placed = await place_for(
            patron_id,
            title_id,
            start_on=wanted.start_on,
            end_on=wanted.end_on,
            today=today,
            staff_id=staff_id,
        )
    except DomainError as exc:
        return refused(exc)
    return Reply(True, placed.message)
