"""Delivering the outbox: render, store, send, mark — at least once, never silently lost.

Order per batch: (1) re-check the loans the notices are about, (2) render and store subject,
bodies and a Message-ID of each, (3) send over SMTP, (4) mark sent. A crash between (3) and
(4) leaves a notice queued; the next run sends it again with the SAME Message-ID, which
receiving systems use to recognise the duplicate (see docs/notifications.md).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from email.message import Message

from mediathek.addresses import AddressInvalid, delivery_address
from mediathek.circulation.tables import Loan
from mediathek.clock import now
from mediathek.db import write_transaction
from mediathek.jobs.locks import extend_lease, job_lock
from mediathek.notifications import policy
from mediathek.notifications.kinds import (
    ALL_CANCELLED,
    ALL_RETURNED,
    BOOKING_DIGEST_KINDS,
    LOAN_DIGEST_KINDS,
    SECRET_KINDS,
)
from mediathek.notifications.mailer import Mailer, SendFailure
from mediathek.notifications.messages import (
    Renderer,
    build_message,
    make_renderer,
    sender_domain,
)
from mediathek.notifications.tables import Notification, NotificationKind, NotificationStatus
from mediathek.patrons.links import MintedLink, mint
from mediathek.patrons.tables import Patron
from mediathek.reservations.tables import ACTIVE_BOOKING, Booking
from mediathek.settings import Settings
from mediathek.site_settings import set_setting

log = logging.getLogger("mediathek.notifications")

BATCH = 200
# Sent notices are marked in groups: one commit per group instead of one per email. A crash
# leaves at most this many sent-but-unmarked notices, resent with their same Message-ID.
MARK_EVERY = 20
OUTCOMES = ("sent", "done", "failed", "retry")
NOTICE_COLUMNS = (
    Notification.id,
    Notification.key,
    Notification.patron,
    Notification.recipient,
    Notification.kind,
    Notification.level,
    Notification.language,
    Notification.payload,
    Notification.attempts,
    Notification.message_id,
)


def new_message_id(notice_id: int, settings: Settings) -> str:
    return f"<notice-{notice_id}.{secrets.token_hex(8)}@{sender_domain(settings)}>"


async def _open_loans(notices: list[dict]) -> set[tuple[int, int]]:
    """(loan id, patron id) of the batch's loans that are still out with that patron."""
    ids = {
        int(item["loan_id"])
        for n in notices
        if n["kind"] in LOAN_DIGEST_KINDS
        for item in n["payload"].get("items", [])
        if "loan_id" in item
    }
    if not ids:
        return set()
    rows = await Loan.select(Loan.id, Loan.patron).where(
        Loan.id.is_in(list(ids)) & Loan.returned_at.is_null() & Loan.patron.is_not_null()
    )
    return {(r["id"], r["patron"]) for r in rows}


async def _live_bookings(notices: list[dict]) -> set[tuple[int, int]]:
    """(booking id, patron id) of the batch's bookings that are still to be picked up."""
    ids = {
        int(item["booking_id"])
        for n in notices
        if n["kind"] in BOOKING_DIGEST_KINDS
        for item in n["payload"].get("items", [])
        if "booking_id" in item
    }
    if not ids:
        return set()
    rows = await Booking.select(Booking.id, Booking.patron).where(
        Booking.id.is_in(sorted(ids)) & Booking.status.is_in(list(ACTIVE_BOOKING))
    )
    return {(r["id"], r["patron"]) for r in rows}


def still_needed(
    notice: dict,
    open_loans: set[tuple[int, int]],
    live_bookings: set[tuple[int, int]] | None = None,
) -> tuple[str, int, dict] | None:
    """Kind, level and payload as they stand now; None when every item came back (or every
    booking was cancelled) meanwhile."""
    kind, level, payload = notice["kind"], notice["level"], notice["payload"]
    if kind in BOOKING_DIGEST_KINDS:
        bookings = [
            i
            for i in payload.get("items", [])
            if "booking_id" not in i
            or (int(i["booking_id"]), notice["patron"]) in (live_bookings or set())
        ]
        return (kind, level, {**payload, "items": bookings}) if bookings else None
    if kind not in LOAN_DIGEST_KINDS:
        return kind, level, payload
    items = [
        i
        for i in payload.get("items", [])
        if "loan_id" not in i or (int(i["loan_id"]), notice["patron"]) in open_loans
    ]
    if not items:
        return None
    kind, level = policy.digest_kind(i.get("level", 0) for i in items)
    return kind, level, {**payload, "items": items}


async def _recipients(notices: list[dict]) -> dict[int, str]:
    """A patron's current address (it may have changed since the notice was queued)."""
    ids = [n["patron"] for n in notices if n["patron"]]
    if not ids:
        return {}
    rows = await Patron.select(Patron.id, Patron.email).where(Patron.id.is_in(ids))
    return {r["id"]: r["email"] for r in rows}


async def mark_sent(notice_ids: list[int], at: datetime) -> None:
    await Notification.update(
        {
            Notification.status: NotificationStatus.sent,
            Notification.sent_at: at,
            Notification.attempts: Notification.attempts + 1,
            Notification.last_error: "",
        }
    ).where(Notification.id.is_in(notice_ids))


async def _mark_failure(notice: dict, failure: SendFailure, at: datetime) -> str:
    attempts = notice["attempts"] + 1
    give_up = failure.permanent or policy.gives_up(attempts)
    status = NotificationStatus.failed if give_up else NotificationStatus.queued
    await Notification.update(
        {
            Notification.status: status,
            Notification.attempts: attempts,
            Notification.last_error: failure.message[:1000],
            Notification.next_attempt_at: at + policy.retry_delay(attempts),
        }
    ).where(Notification.id == notice["id"])
    return "failed" if give_up else "retry"


@dataclass
class Batch:
    """A batch's notices after preparation: what to send, and what needs no sending."""

    to_send: list[tuple[dict, Message, str]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))


async def prepare(
    notices: list[dict], *, renderer: Renderer, settings: Settings, at: datetime
) -> Batch:
    """Re-check, render and store a batch in one transaction, BEFORE anything is sent: a
    retry after a crash finds the stored Message-ID and sends with the same one."""
    open_loans = await _open_loans(notices)
    live_bookings = await _live_bookings(notices)
    recipients = await _recipients(notices)
    batch = Batch()
    async with write_transaction():
        for notice in notices:
            current = still_needed(notice, open_loans, live_bookings)
            if current is None:
                await Notification.update(
                    {
                        Notification.status: NotificationStatus.sent,
                        Notification.last_error: ALL_CANCELLED
                        if notice["kind"] in BOOKING_DIGEST_KINDS
                        else ALL_RETURNED,
                        Notification.sent_at: at,
                    }
                ).where(Notification.id == notice["id"])
                batch.counts["done"] += 1
                continue
            kind, level, payload = current
            link: MintedLink | None = None
            if kind in SECRET_KINDS:
                link = await _mint(payload, settings, at)
                if link is None:
                    batch.counts[await _mark_failure(notice, LINK_GONE, at)] += 1
                    continue
                recipient = link.recipient
            elif notice["patron"]:
                recipient = recipients.get(notice["patron"], "")
            else:
                recipient = notice["recipient"]
            if not recipient:
                failure = SendFailure("Keine E-Mail-Adresse hinterlegt.", permanent=True)
                batch.counts[await _mark_failure(notice, failure, at)] += 1
                continue
            try:
                address = delivery_address(recipient)
            except AddressInvalid as exc:
                # Stored before addresses were checked, or written by hand: this one notice
                # fails with the reason, the run goes on with the next.
                failure = SendFailure(f"Ungültige E-Mail-Adresse: {exc.message}", permanent=True)
                batch.counts[await _mark_failure(notice, failure, at)] += 1
                continue
            try:
                stored = renderer.render(kind, notice["language"], level, payload)
                outgoing = (
                    renderer.render(kind, notice["language"], level, payload, link=link.url)
                    if link
                    else stored
                )
            except Exception as exc:  # noqa: BLE001 - one bad notice must not block the queue
                log.exception("Benachrichtigung %s lässt sich nicht erstellen", notice["id"])
                failure = SendFailure(f"Vorlage fehlerhaft: {exc}", permanent=True)
                batch.counts[await _mark_failure(notice, failure, at)] += 1
                continue
            # A freshly minted link makes a new e-mail: the one sent before a crash carries a
            # link that no longer works, and the same Message-ID could make a mail program
            # drop the new one as a duplicate.
            message_id = (
                new_message_id(notice["id"], settings)
                if link or not notice["message_id"]
                else notice["message_id"]
            )
            await Notification.update(
                {
                    Notification.subject: stored.subject[:300],
                    Notification.body_text: stored.text,
                    Notification.body_html: stored.html,
                    Notification.message_id: message_id,
                    Notification.recipient: recipient,
                }
            ).where(Notification.id == notice["id"])
            message = build_message(settings, outgoing, address, message_id, notice["language"])
            batch.to_send.append((notice, message, address))
    return batch


LINK_GONE = SendFailure(
    "Nicht gesendet: der Link ist abgelaufen, schon benutzt oder ersetzt. "
    "Bitte einen neuen anfordern (Passwort vergessen, Einladung, E-Mail-Änderung).",
    permanent=True,
)


async def _mint(payload: dict, settings: Settings, at: datetime) -> MintedLink | None:
    try:
        token_id = int(payload["token_id"])
    except (KeyError, TypeError, ValueError):
        # A notice queued before links were minted at delivery: its link was stored
        # readable and has been withdrawn.
        return None
    return await mint(token_id, settings.base_url, at)


async def send_batch(batch: Batch, mailer: Mailer, at: datetime) -> None:
    """Send a prepared batch; "sent" is recorded every ``MARK_EVERY`` messages (one commit
    each). Raises SendFailure with ``server`` set when the mail server is gone."""
    pending: list[int] = []
    try:
        for notice, message, address in batch.to_send:
            try:
                await mailer.send(message, address)
            except SendFailure as failure:
                if failure.server:
                    raise
                batch.counts[await _mark_failure(notice, failure, at)] += 1
                continue
            pending.append(notice["id"])
            batch.counts["sent"] += 1
            if len(pending) >= MARK_EVERY:
                await mark_sent(pending, at)
                pending = []
    finally:
        if pending:
            await mark_sent(pending, at)


async def deliver_outbox(settings: Settings, *, at: datetime | None = None) -> dict:
    """Send every queued notice that is due, under the database lock "deliver"."""
    async with job_lock("deliver") as holder:
        if holder is None:
            return {"skipped": "läuft bereits"}
        return await _deliver(settings, holder, at or now())


async def _deliver(settings: Settings, holder: str, at: datetime) -> dict:
    counts = dict.fromkeys(OUTCOMES, 0)
    renderer = await make_renderer(settings)
    last_id = 0
    error = ""
    async with Mailer(settings) as mailer:
        while True:
            notices = (
                await Notification.select(*NOTICE_COLUMNS)
                .where(
                    (Notification.status == NotificationStatus.queued)
                    & (Notification.next_attempt_at <= at)
                    & (Notification.id > last_id)
                )
                .order_by(Notification.id)
                .limit(BATCH)
                .output(load_json=True)
            )
            if not notices:
                break
            for notice in notices:
                notice["payload"] = notice["payload"] or {}
            batch = await prepare(notices, renderer=renderer, settings=settings, at=at)
            try:
                await send_batch(batch, mailer, at)
            except SendFailure as failure:
                error = failure.message
                log.warning("Versand unterbrochen: %s", error)
            finally:
                for outcome, n in batch.counts.items():
                    counts[outcome] += n
            if error:
                break
            last_id = notices[-1]["id"]
            await extend_lease("deliver", holder)
    await set_setting("delivery_status", {"at": at.isoformat(), "error": error, **counts})
    return {**counts, "error": error}


async def resend(notice_id: int, at: datetime | None = None) -> bool:
    """Queue a notice again (staff: "erneut senden"); it gets a new Message-ID, because this
    time the patron should see it as a new email. False when there is no such notice."""
    rows = (
        await Notification.update(
            {
                Notification.status: NotificationStatus.queued,
                Notification.attempts: 0,
                Notification.last_error: "",
                Notification.message_id: "",
                Notification.next_attempt_at: at or now(),
                Notification.sent_at: None,
            }
        )
        .where(Notification.id == notice_id)
        .returning(Notification.id)
    )
    return bool(rows)


async def send_test_email(settings: Settings, recipient: str) -> None:
    """Send a test email right away (not via the queue); raises SendFailure with the reason."""
    renderer = await make_renderer(settings)
    rendered = renderer.render(NotificationKind.test, "de", 0, {})
    address = delivery_address(recipient)
    message = build_message(
        settings, rendered, address, new_message_id(0, settings).replace("notice-0", "test")
    )
    async with Mailer(settings) as mailer:
        await mailer.send(message, address)
