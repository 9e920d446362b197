"""The Merkliste (course planning): titles a patron collects, booked together for one range.

Each title goes through the booking rules of ``services.book`` (the patron may reserve, the
range starts and ends on opening days and fits the longest booking, a copy is free over the
range plus the buffer); what is free is booked in ONE transaction, and for the rest the
answer offers the nearest free range and another title of the same series or topic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from mediathek import i18n
from mediathek.catalogue.tables import Copy, Title, TitleTopic
from mediathek.clock import now
from mediathek.db import lock_rows, write_transaction
from mediathek.errors import InvalidInput, NotFound
from mediathek.i18n import _
from mediathek.notifications.outbox import enqueue, notice_key
from mediathek.notifications.tables import NotificationKind
from mediathek.opening_calendar import Calendar, load_calendar
from mediathek.patrons.tables import Patron
from mediathek.reservations import policy, services
from mediathek.reservations.policy import CopyPlan, Span, TitleFacts
from mediathek.reservations.setaside import (
    ACTIVE_BOOKING,
    BOOKABLE_COPY,
    copy_plans_of,
    settings_for_reservations,
)
from mediathek.reservations.tables import BasketItem, Booking, BookingStatus

# How many stand-in titles are checked for a free copy (the best ranked first).
ALTERNATIVES_CHECKED = 5


@dataclass(frozen=True)
class Line:
    """A title wanted in some number of copies."""

    title_id: int
    quantity: int = 1


@dataclass
class LineResult:
    """What became of one title of the basket."""

    title_id: int
    title: str
    wanted: int
    booking_ids: list[int] = field(default_factory=list)
    message: str = ""  # why not (all) booked, in German
    suggestion: Span | None = None  # the nearest range in which the rest is free
    alternative: dict | None = None  # {"id", "title", "why"}: a free title standing in
    gone: bool = False  # the title is no longer in the catalogue

    @property
    def booked(self) -> int:
        return len(self.booking_ids)

    @property
    def status(self) -> str:
        """booked (all), partly, none, gone."""
        if self.gone:
            return "gone"
        if self.booked == self.wanted:
            return "booked"
        return "partly" if self.booked else "none"


@dataclass
class BasketResult:
    start_on: date
    end_on: date
    lines: list[LineResult]

    @property
    def booked(self) -> list[LineResult]:
        return [line for line in self.lines if line.booked]

    @property
    def rest(self) -> list[LineResult]:
        return [line for line in self.lines if line.status != "booked"]

    @property
    def when(self) -> str:
        return policy.pickup_return_text(self.start_on, self.end_on)


# ---- the list itself -----------------------------------------------------------------------


async def bookable_copies(title_ids: list[int]) -> dict[int, int]:
    """Copies per title that can serve a booking at some point (not lost, not withdrawn)."""
    if not title_ids:
        return {}
    rows = await Copy.select(Copy.title).where(
        Copy.title.is_in(title_ids), Copy.status.is_in(list(BOOKABLE_COPY))
    )
    counts: dict[int, int] = {}
    for r in rows:
        counts[r["title"]] = counts.get(r["title"], 0) + 1
    return counts


async def items(patron_id: int) -> list[dict]:
    """The Merkliste in the order the titles were added, with what the page shows of each."""
    rows = (
        await BasketItem.select(
            BasketItem.title.id.as_alias("title_id"),
            BasketItem.title.title.as_alias("title"),
            BasketItem.title.media_type.as_alias("media_type"),
            BasketItem.title.withdrawn_at.as_alias("withdrawn_at"),
            BasketItem.quantity,
        )
        .where(BasketItem.patron == patron_id)
        .order_by(BasketItem.added_at)
        .order_by(BasketItem.id)
    )
    copies = await bookable_copies([r["title_id"] for r in rows])
    return [
        {**r, "copies": copies.get(r["title_id"], 0), "gone": r["withdrawn_at"] is not None}
        for r in rows
    ]


async def count(patron_id: int) -> int:
    return await BasketItem.count().where(BasketItem.patron == patron_id)


async def title_ids_on_list(patron_id: int) -> set[int]:
    rows = await BasketItem.select(BasketItem.title).where(BasketItem.patron == patron_id)
    return {r["title"] for r in rows}


async def _wantable_title(title_id: int, quantity: int) -> dict:
    """The title, if it exists and has enough copies for ``quantity``; else InvalidInput or
    NotFound with the reason."""
    title = (
        await Title.select(Title.id, Title.title, Title.withdrawn_at)
        .where(Title.id == title_id)
        .first()
    )
    if title is None or title["withdrawn_at"] is not None:
        raise NotFound(_("Diesen Titel gibt es nicht (mehr)."))
    copies = (await bookable_copies([title_id])).get(title_id, 0)
    error = policy.quantity_error(title["title"], quantity, copies)
    if error:
        raise InvalidInput(error, errors={"quantity": error})
    return title


async def add(patron_id: int, title_id: int, quantity: int = 1) -> bool:
    """Put the title on her Merkliste; False when it is there already (then nothing changes:
    a second click on the button adds no second copy)."""
    await _wantable_title(title_id, quantity)
    # One statement: two clicks at once meet at the unique index (patron, title).
    rows = await BasketItem.raw(
        "INSERT INTO basket_item (patron, title, quantity, added_at) VALUES ({}, {}, {}, {}) "
        "ON CONFLICT (patron, title) DO NOTHING RETURNING id",
        patron_id,
        title_id,
        quantity,
        now(),
    )
    return bool(rows)


async def set_quantity(patron_id: int, title_id: int, quantity: int) -> None:
    """How many copies of the title she wants (at most as many as the Mediathek has)."""
    await _wantable_title(title_id, quantity)
    rows = (
        await BasketItem.update({BasketItem.quantity: quantity})
        .where(BasketItem.patron == patron_id, BasketItem.title == title_id)
        .returning(BasketItem.id)
    )
    if not rows:
        raise NotFound(_("Dieser Titel steht nicht auf Ihrer Merkliste."))


async def remove(patron_id: int, title_id: int) -> None:
    await BasketItem.delete().where(BasketItem.patron == patron_id, BasketItem.title == title_id)


async def empty(patron_id: int) -> None:
    await BasketItem.delete().where(BasketItem.patron == patron_id)


# ---- booking -------------------------------------------------------------------------------


async def book_basket(patron_id: int, start_on: date, end_on: date, today: date) -> BasketResult:
    """Book everything on her Merkliste for [start_on, end_on]. Booked titles leave the list;
    what could not be booked (fully) stays with the quantity still missing, withdrawn titles
    are taken off."""
    async with write_transaction():
        # Two devices booking her list at once: the second waits and finds it emptied.
        await lock_rows("patron", patron_id)
        rows = await BasketItem.select(BasketItem.title, BasketItem.quantity).where(
            BasketItem.patron == patron_id
        )
        if not rows:
            raise InvalidInput(_("Ihre Merkliste ist leer."))
        result = await book_lines(
            patron_id, [Line(r["title"], r["quantity"]) for r in rows], start_on, end_on, today
        )
        done = [line.title_id for line in result.lines if line.status in ("booked", "gone")]
        if done:
            await BasketItem.delete().where(
                BasketItem.patron == patron_id, BasketItem.title.is_in(done)
            )
        for line in result.lines:
            if line.status == "partly":
                await BasketItem.update({BasketItem.quantity: line.wanted - line.booked}).where(
                    BasketItem.patron == patron_id, BasketItem.title == line.title_id
                )
        return result


async def book_lines(
    patron_id: int, lines: list[Line], start_on: date, end_on: date, today: date
) -> BasketResult:
    """Book each title in its quantity for the range, in one transaction: the free ones are
    booked, the others answered with the reason and what is offered instead.

    A range that is wrong for every title (in the past, reversed, a closed pickup or return
    day) is refused as a whole with InvalidInput, naming the nearest opening days."""
    lines = _merged(lines)
    async with write_transaction():
        patron = await services._patron(patron_id, today)  # may she reserve at all?
        calendar = await load_calendar(today)
        # Too far ahead is said alone: the calendar rules look at the days around the range.
        errors = policy.far_ahead_errors(start_on, end_on, today) or policy.closed_day_errors(
            calendar, start_on, end_on, today
        )
        errors |= policy.booking_range_errors(start_on, end_on, today, policy.SEARCH_HORIZON_DAYS)
        if errors:
            raise InvalidInput(" ".join(errors.values()), errors=errors)
        wanted = Span(start_on, end_on)
        ids = [line.title_id for line in lines]
        await services.lock_copies_of(ids)
        titles = {
            t["id"]: t
            for t in await Title.select(
                Title.id, Title.title, Title.media_type, Title.series, Title.withdrawn_at
            ).where(Title.id.is_in(ids))
        }
        buffer_days, set_aside_days, _pickup = await settings_for_reservations()
        plans = await copy_plans_of(ids, today)
        already = {
            r["title"]
            for r in await Booking.select(Booking.title).where(
                Booking.patron == patron_id,
                Booking.title.is_in(ids),
                Booking.status.is_in(list(ACTIVE_BOOKING)),
                Booking.start_on <= end_on,
                Booking.end_on >= start_on,
            )
        }
        longest: dict[str, int] = {}
        results: list[LineResult] = []
        to_insert: list[tuple[LineResult, int]] = []
        for line in lines:
            title = titles.get(line.title_id)
            if title is None or title["withdrawn_at"] is not None:
                name = title["title"] if title else _("Titel %(id)s") % {"id": line.title_id}
                results.append(
                    LineResult(
                        line.title_id,
                        name,
                        line.quantity,
                        message=_("„%(title)s“ gibt es nicht mehr im Bestand.") % {"title": name},
                        gone=True,
                    )
                )
                continue
            result = LineResult(line.title_id, title["title"], line.quantity)
            results.append(result)
            title_plans = plans.get(line.title_id, [])
            refusal = policy.quantity_error(title["title"], line.quantity, len(title_plans))
            if refusal is None and line.title_id in already:
                refusal = _("Sie haben diesen Titel für diese Zeit schon reserviert.")
            media_type = title["media_type"]
            if media_type not in longest:
                longest[media_type] = await services.longest_booking(patron["category"], media_type)
            if refusal is None and wanted.days > longest[media_type]:
                refusal = _("Sie können höchstens %(num)s Tage am Stück reservieren.") % {
                    "num": longest[media_type]
                }
            if refusal:
                result.message = refusal
                continue
            for copy_id in policy.pick_copies(
                title_plans, wanted, line.quantity, buffer_days, today
            ):
                to_insert.append((result, copy_id))
        if to_insert:
            created = now()
            inserted = await Booking.insert(
                *[
                    Booking(
                        title=result.title_id,
                        patron=patron_id,
                        copy=copy_id,
                        start_on=start_on,
                        end_on=end_on,
                        status=BookingStatus.confirmed,
                        created_at=created,
                    )
                    for result, copy_id in to_insert
                ]
            ).returning(Booking.id, Booking.copy)
            # Each copy is booked once here, so the copy tells which row is whose.
            by_copy = {row["copy"]: row["id"] for row in inserted}
            for result, copy_id in to_insert:
                result.booking_ids.append(by_copy[copy_id])
        contact = (
            await Patron.select(Patron.email, Patron.preferred_language)
            .where(Patron.id == patron_id)
            .first()
        )
        for result in results:
            if not result.booked or not (contact and contact["email"]):
                continue  # no address: the desk tells her (as for one booking)
            for booking_id in result.booking_ids:
                await enqueue(
                    NotificationKind.booking_confirmed,
                    key=notice_key(
                        NotificationKind.booking_confirmed, patron_id, today, booking_id
                    ),
                    patron_id=patron_id,
                    recipient=contact["email"],
                    language=contact["preferred_language"] or "de",
                    payload={
                        "title": result.title,
                        "start_on": start_on.isoformat(),
                        "end_on": end_on.isoformat(),
                    },
                )
        # Bookings starting within the set-aside days are set aside right away, as one is
        # (all of them in one pass: the settings and bookings are read once, not per booking).
        booked = [booking_id for result in results for booking_id in result.booking_ids]
        if booked and start_on <= today + timedelta(days=set_aside_days):
            await services._set_aside_bookings(today, booking_ids=booked)
        booked_copies = {copy_id for _result, copy_id in to_insert}
        for result in results:
            if result.status in ("partly", "none") and not result.message:
                title_plans = [
                    p for p in plans.get(result.title_id, []) if p.copy_id not in booked_copies
                ]
                await _offer(
                    result,
                    titles[result.title_id],
                    title_plans,
                    wanted,
                    calendar,
                    buffer_days,
                    today,
                )
        return BasketResult(start_on, end_on, results)


def _merged(lines: list[Line]) -> list[Line]:
    """One line per title (a title named twice wants the sum), in the order first named."""
    quantities: dict[int, int] = {}
    for line in lines:
        quantities[line.title_id] = quantities.get(line.title_id, 0) + line.quantity
    return [Line(title_id, quantity) for title_id, quantity in quantities.items()]


async def _offer(
    result: LineResult,
    title: dict,
    plans: list[CopyPlan],
    wanted: Span,
    calendar: Calendar,
    buffer_days: int,
    today: date,
) -> None:
    """What she is offered for a title not (fully) free: the nearest range in which the
    missing copies are free, and a free title of the same series or topic. ``plans`` leave
    out the copies booked a moment ago."""
    missing = result.wanted - result.booked
    result.suggestion = policy.next_free_range(
        plans, wanted, buffer_days, today, is_open=calendar.is_open, copies=missing
    )
    result.alternative = await _alternative(title, wanted, missing, buffer_days, today)
    parts = [
        _("Für diesen Zeitraum ist kein Exemplar frei.")
        if not result.booked
        else _("Nur %(booked)s von %(wanted)s Exemplaren sind für diesen Zeitraum frei.")
        % {"booked": result.booked, "wanted": result.wanted}
    ]
    if result.suggestion:
        parts.append(
            _("Frei ist der Titel wieder vom %(start)s bis %(end)s.")
            % {
                "start": i18n.format_day(result.suggestion.start),
                "end": i18n.format_day(result.suggestion.end),
            }
        )
    result.message = " ".join(parts)


async def _alternative(
    own: dict, wanted: Span, missing: int, buffer_days: int, today: date
) -> dict | None:
    """A title free over the range that can stand in: same series first, otherwise the same
    media type with the most topics in common (``policy.alternative_rank``)."""
    title_id = own["id"]
    topics = frozenset(
        r["topic"]
        for r in await TitleTopic.select(TitleTopic.topic).where(TitleTopic.title == title_id)
    )
    me = TitleFacts(own["id"], own["media_type"], own["series"], topics)
    candidate_ids: set[int] = set()
    if me.series:
        candidate_ids |= {
            r["id"]
            for r in await Title.select(Title.id)
            .where(Title.series == me.series, Title.withdrawn_at.is_null())
            .limit(50)
        }
    if topics:
        candidate_ids |= {
            r["title"]
            for r in await TitleTopic.select(TitleTopic.title)
            .where(TitleTopic.topic.is_in(sorted(topics)))
            .limit(200)
        }
    candidate_ids.discard(title_id)
    if not candidate_ids:
        return None
    rows = await Title.select(Title.id, Title.title, Title.media_type, Title.series).where(
        Title.id.is_in(sorted(candidate_ids)), Title.withdrawn_at.is_null()
    )
    their_topics: dict[int, set[str]] = {}
    for r in await TitleTopic.select(TitleTopic.title, TitleTopic.topic).where(
        TitleTopic.title.is_in([r["id"] for r in rows] or [0])
    ):
        their_topics.setdefault(r["title"], set()).add(r["topic"])
    ranked = []
    for r in rows:
        facts = TitleFacts(
            r["id"], r["media_type"], r["series"], frozenset(their_topics.get(r["id"], ()))
        )
        rank = policy.alternative_rank(me, facts)
        if rank is not None:
            ranked.append((rank, -r["id"], r))
    ranked.sort(key=lambda x: (x[0], x[1]), reverse=True)
    best = [r for _rank, _id, r in ranked[:ALTERNATIVES_CHECKED]]
    plans = await copy_plans_of([r["id"] for r in best], today)
    for r in best:
        if (
            len(policy.pick_copies(plans.get(r["id"], []), wanted, missing, buffer_days, today))
            < missing
        ):
            continue
        same_series = bool(me.series) and r["series"].casefold() == me.series.casefold()
        why = (
            _("aus derselben Reihe „%(series)s“") % {"series": me.series}
            if same_series
            else _("gleiche Medienart und gleiches Thema")
        )
        return {"id": r["id"], "title": r["title"], "why": why}
    return None
