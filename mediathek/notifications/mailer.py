"""SMTP delivery over one connection per run (aiosmtplib), with failures sorted into
"try again later" and "never works" (a refused address)."""

from __future__ import annotations

import email.errors
import logging
from email.message import Message
from email.utils import parseaddr

import aiosmtplib

from mediathek.notifications.policy import is_permanent_smtp_failure
from mediathek.settings import Settings

log = logging.getLogger("mediathek.notifications")


class SendFailure(Exception):
    """``permanent``: this message will never go through (bad address …).
    ``server``: the server itself is unreachable or refuses us; stop the run, keep the queue."""

    def __init__(self, message: str, *, permanent: bool = False, server: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.server = server


class Mailer:
    """``async with Mailer(settings) as m: await m.send(msg)``; connects on the first send and
    reuses that connection for every further message of the run."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._smtp: aiosmtplib.SMTP | None = None
        self.sent = 0

    async def __aenter__(self) -> Mailer:
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def _connect(self) -> aiosmtplib.SMTP:
        s = self.settings
        smtp = aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            use_tls=s.smtp_security == "tls",
            start_tls=s.smtp_security == "starttls",
            timeout=s.smtp_timeout,
        )
        try:
            await smtp.connect()
            if s.smtp_username:
                await smtp.login(s.smtp_username, s.smtp_password)
        except aiosmtplib.SMTPAuthenticationError as exc:
            raise SendFailure(
                f"Anmeldung am Mailserver abgelehnt ({exc.code}).", server=True
            ) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise SendFailure(
                f"Mailserver {s.smtp_host}:{s.smtp_port} nicht erreichbar: {exc}", server=True
            ) from exc
        return smtp

    async def send(self, message: Message, recipient: str) -> None:
        """Send to exactly ``recipient`` (a checked address): the envelope is never read
        from the headers, so nothing in a header can add a second recipient."""
        if self._smtp is None or not self._smtp.is_connected:
            self._smtp = await self._connect()
        try:
            await self._smtp.send_message(
                message, sender=parseaddr(self.settings.mail_from)[1], recipients=[recipient]
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [r.code for r in exc.recipients]
            permanent = all(is_permanent_smtp_failure(c) for c in codes)
            detail = "; ".join(f"{r.code} {r.message}" for r in exc.recipients)
            raise SendFailure(f"Adresse abgelehnt: {detail}", permanent=permanent) from exc
        except aiosmtplib.SMTPSenderRefused as exc:
            # The sender address is a setting: every message would fail the same way.
            raise SendFailure(f"Absender abgelehnt: {exc.code} {exc.message}", server=True) from exc
        except aiosmtplib.SMTPResponseException as exc:
            raise SendFailure(
                f"Mailserver: {exc.code} {exc.message}",
                permanent=is_permanent_smtp_failure(exc.code),
            ) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            self._smtp = None
            raise SendFailure(f"Verbindung zum Mailserver verloren: {exc}", server=True) from exc
        except (email.errors.MessageError, ValueError, TypeError, UnicodeError) as exc:
            # The message itself cannot be written out (a header the mail library refuses):
            # it never will be, so this one fails and the run goes on with the next. The
            # connection may be mid-command; the next message opens a new one.
            await self.close()
            raise SendFailure(f"Nachricht lässt sich nicht senden: {exc}", permanent=True) from exc
        self.sent += 1

    async def close(self) -> None:
        if self._smtp is not None and self._smtp.is_connected:
            try:
                await self._smtp.quit()
            except (aiosmtplib.SMTPException, OSError):
                self._smtp.close()
        self._smtp = None
