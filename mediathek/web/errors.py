"""Errors become a German page (or fragment) for people and a problem document for the API.

This is the one place where business errors meet HTTP.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.response import Redirect, Template
from litestar.types import ExceptionHandlersMap

from mediathek.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Gone,
    InvalidInput,
    NotFound,
    Refused,
    TooManyAttempts,
)
from mediathek.i18n import N_, _
from mediathek.web.input_guard import ControlCharacters
from mediathek.web.return_to import return_target

log = logging.getLogger("mediathek")

TITLES = {
    400: N_("Ungültige Anfrage"),
    401: N_("Anmeldung erforderlich"),
    403: N_("Kein Zugriff"),
    404: N_("Seite nicht gefunden"),
    405: N_("Methode nicht erlaubt"),
    409: N_("Nicht möglich"),
    413: N_("Datei zu groß"),
    422: N_("Eingaben prüfen"),
    429: N_("Zu viele Versuche"),
    500: N_("Interner Fehler"),
    503: N_("Vorübergehend nicht verfügbar"),
}

MESSAGES = {
    400: N_("Die Anfrage konnte nicht verarbeitet werden."),
    401: N_("Bitte melden Sie sich an."),
    403: N_("Sie haben keinen Zugriff auf diese Seite."),
    404: N_("Diese Seite gibt es nicht (mehr). Vielleicht hilft die Suche weiter."),
    405: N_("Diese Aktion ist hier nicht möglich."),
    500: N_(
        "Da ist etwas schiefgegangen. Bitte versuchen Sie es noch einmal; "
        "wenn der Fehler bleibt, sagen Sie uns Bescheid."
    ),
}


UNKNOWN = N_("Fehler")


def title_of(status: int) -> str:
    return _(TITLES.get(status, UNKNOWN))


def message_of(status: int) -> str:
    return _(MESSAGES[status]) if status in MESSAGES else ""


def is_api(request: Request) -> bool:
    return (
        request.url.path.startswith("/api/")
        or "application/json" in request.headers.get("accept", "").split(",")[0]
    )


def problem(status: int, detail: str, code: str = "", **extra: Any) -> Response:
    body = {
        "type": f"about:blank#{code}" if code else "about:blank",
        "title": title_of(status),
        "status": status,
        "detail": detail,
        **extra,
    }
    return Response(content=body, status_code=status, media_type="application/problem+json")


def error_page(request: Request, status: int, message: str, **extra: Any) -> Response:
    # HTMX swaps only 2xx by default; an error fragment goes to the #messages region instead.
    if getattr(request, "htmx", None):
        return Template(
            template_name="errors/_message.html",
            context={"status": status, "title": title_of(status), "message": message},
            status_code=status,
            headers={"HX-Retarget": "#messages", "HX-Reswap": "innerHTML"},
        )
    template = f"errors/{status}.html" if status in (403, 404, 500) else "errors/error.html"
    return Template(
        template_name=template,
        context={
            "status": status,
            "title": title_of(status),
            "message": message,
            **extra,
        },
        status_code=status,
        media_type=MediaType.HTML,
    )


def field_errors(extra: object) -> dict[str, str]:
    """Litestar lists validation problems as [{"key", "message", "source"}]; the problem
    document carries them like InvalidInput does: field → message."""
    if isinstance(extra, dict):
        return {str(k): str(v) for k, v in extra.items()}
    errors: dict[str, str] = {}
    for item in extra if isinstance(extra, list) else [extra]:
        if isinstance(item, dict):
            errors[str(item.get("key") or item.get("source") or "body")] = str(item.get("message"))
        else:
            errors.setdefault("body", str(item))
    return errors


# The one table from business facts to HTTP statuses. The most specific class wins (the first
# class of the error's MRO found here); an error of any other kind is a clash with the current
# state.
STATUS_OF: dict[type[DomainError], int] = {
    NotFound: 404,
    Forbidden: 403,
    InvalidInput: 422,
    ControlCharacters: 400,
    Conflict: 409,
    Refused: 400,
    Gone: 410,
    TooManyAttempts: 429,
    DomainError: 409,
}


def status_of(exc: DomainError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS_OF:
            return STATUS_OF[cls]
    return 409


def handle_domain_error(request: Request, exc: DomainError) -> Response:
    status = status_of(exc)
    if is_api(request):
        extra = {"errors": exc.errors} if isinstance(exc, InvalidInput) else {}
        return problem(status, exc.message, exc.code, **extra)
    message = exc.message
    if isinstance(exc, InvalidInput) and exc.errors:
        message = " ".join([message, *exc.errors.values()])
    return error_page(request, status, message)


def handle_http_exception(request: Request, exc: HTTPException) -> Response:
    status = exc.status_code
    if isinstance(exc, NotAuthorizedException) and not is_api(request):
        target = return_target(
            request.method, request.url.path, request.url.query, dict(request.headers)
        )
        # No page to return to: the login picks the landing page (Mein Konto for a teacher).
        login = f"/anmelden?weiter={quote(target)}" if target else "/anmelden"
        if getattr(request, "htmx", None):
            return Response(content=b"", headers={"HX-Redirect": login})
        return Redirect(path=login, status_code=303)
    if isinstance(exc, PermissionDeniedException) and "CSRF" in str(exc.detail):
        message = _(
            "Das Formular ist abgelaufen oder wurde nicht von dieser Seite gesendet. "
            "Bitte laden Sie die Seite neu und versuchen Sie es noch einmal."
        )
    elif isinstance(exc, ValidationException):
        status = 400 if status < 400 else status
        message = _("Die Eingaben sind unvollständig oder haben ein falsches Format.")
    elif isinstance(exc, NotFoundException):
        message = message_of(404)
    elif status == 413:
        limit = request.app.state.settings.max_upload_mb
        message = _(
            "Die Datei ist zu groß: höchstens %(limit)s MB auf einmal. Bitte teilen Sie die "
            "Datei auf oder speichern Sie sie ohne unnötige Spalten und Formatierungen."
        ) % {"limit": limit}
    else:
        message = message_of(status) or (exc.detail if isinstance(exc.detail, str) else "")
    if is_api(request):
        extra: dict[str, Any] = {}
        if isinstance(exc, ValidationException) and exc.extra:
            extra["errors"] = field_errors(exc.extra)
        response = problem(status, message or title_of(status), **extra)
    else:
        response = error_page(request, status, message)
    # e.g. "Allow" on 405: clients learn which methods the path does take.
    for key, value in (exc.headers or {}).items():
        response.headers.setdefault(key, value)
    return response


def handle_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("Unexpected error on %s %s", request.method, request.url.path)
    if is_api(request):
        return problem(500, message_of(500))
    return error_page(request, 500, message_of(500))


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    DomainError: handle_domain_error,
    HTTPException: handle_http_exception,
    Exception: handle_unexpected,
}
