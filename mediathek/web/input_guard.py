"""Control characters stop at the edge, before any handler or database sees them.

PostgreSQL refuses NUL in text (asyncpg raises) while SQLite stores it, and the other C0
control characters are never typed by a person: they come from probes, broken clients or
text pasted from word processors. One middleware checks every input kind the same way on
both engines, so no handler has to remember it:

- a path with a control character names nothing we serve → 400;
- query parameters are single-line reads (a search box, a filter link): control characters
  are dropped, the page answers as it would without them;
- form fields write records and may be multi-line: tab, line feed and carriage return stay,
  the other control characters (vertical tab, form feed … from pasted text) are dropped, but
  a NUL → 400: no person types one, and a record saved with silently changed text is worse
  than a clear refusal;
- JSON strings (keys and values) and multipart text fields: what a form field may keep is
  allowed, anything else is refused (400) rather than rewritten.

A refusal is a German page for people and a problem document under ``/api/``.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl, unquote, urlencode

from litestar.handlers import HTTPRouteHandler
from litestar.types import ASGIApp, Receive, ReceiveMessage, Scope, Send

from mediathek.errors import InvalidInput

# C0 controls and DEL. (C1 controls are valid UTF-8 text for both engines.)
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# What a multi-line field may keep.
DROPPABLE = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")
# In multi-line text only these are refused (after dropping, nothing else is left).
REFUSED_IN_TEXT = re.compile(r"[\x00]")

MESSAGE = (
    "Die Anfrage enthält unzulässige Steuerzeichen (zum Beispiel ein Nullzeichen) und wurde "
    "deshalb nicht verarbeitet. Bitte geben Sie nur normalen Text ein."
)
# Bodies are read whole anyway (forms and JSON are parsed in memory); past this size the
# check is left to the handler's own limits rather than buffering twice.
MAX_CHECKED_BODY = 32 * 1024 * 1024


class ControlCharacters(InvalidInput):
    code = "control_characters"

    def __init__(self, where: str) -> None:
        super().__init__(MESSAGE, errors={where: "Enthält unzulässige Steuerzeichen."})


# ---- rules (pure) --------------------------------------------------------------------------


def path_problem(path: str) -> str | None:
    return "path" if CONTROL.search(path) else None


def clean_query(query_string: bytes) -> bytes | None:
    """The query string without control characters, or None when it has none."""
    text = query_string.decode("latin-1")
    # parse_qsl decodes %XX and "+"; a bare "%00" without "=" is a name too.
    pairs = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="replace")
    if not any(CONTROL.search(name) or CONTROL.search(value) for name, value in pairs):
        return None
    cleaned = [(CONTROL.sub("", name), CONTROL.sub("", value)) for name, value in pairs]
    return urlencode(cleaned, encoding="utf-8").encode("ascii")


def clean_form_text(value: str) -> str:
    """A form field as it is kept: tab and line breaks stay, other controls go."""
    return DROPPABLE.sub("", value)


def form_body(body: bytes) -> tuple[bytes | None, str | None]:
    """(rewritten body or None when nothing changed, name of a refused field or None)."""
    text = body.decode("latin-1")
    pairs = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="replace")
    changed = False
    cleaned = []
    for name, value in pairs:
        if REFUSED_IN_TEXT.search(name) or REFUSED_IN_TEXT.search(value) or CONTROL.search(name):
            return None, name if not CONTROL.search(name) else "form"
        new = clean_form_text(value)
        changed = changed or new != value
        cleaned.append((name, new))
    if not changed:
        return None, None
    return urlencode(cleaned, encoding="utf-8").encode("ascii"), None


def json_problem(value: object, where: str = "body") -> str | None:
    """The path of the first string in a JSON document with a control character other than
    tab and line breaks."""
    if isinstance(value, str):
        return where if REFUSED_IN_TEXT.search(value) or DROPPABLE.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            if CONTROL.search(key):
                return where
            if found := json_problem(item, key):
                return found
    if isinstance(value, list):
        for item in value:
            if found := json_problem(item, where):
                return found
    return None


def multipart_problem(body: bytes, content_type: str) -> str | None:
    """Text fields of a multipart form (not uploaded files, which may be binary)."""
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if not match:
        return None
    boundary = b"--" + match.group(1).encode("latin-1")
    for part in body.split(boundary)[1:]:
        head, _, content = part.partition(b"\r\n\r\n")
        disposition = head.decode("latin-1").lower()
        if "form-data" not in disposition or "filename=" in disposition:
            continue
        name = re.search(r'name="([^"]*)"', head.decode("latin-1"))
        value = content.removesuffix(b"\r\n").decode("utf-8", errors="replace")
        if REFUSED_IN_TEXT.search(value) or DROPPABLE.search(value):
            return name.group(1) if name else "form"
    return None


# ---- middleware ----------------------------------------------------------------------------


def _content_type(scope: Scope) -> str:
    for key, value in scope.get("headers", []):
        if key == b"content-type":
            return value.decode("latin-1")
    return ""


def _body_limit(scope: Scope) -> int:
    """The route's request body limit (the app's upload cap), at most ``MAX_CHECKED_BODY``."""
    handler = scope.get("route_handler")
    limit = (
        handler.resolve_request_max_body_size() if isinstance(handler, HTTPRouteHandler) else None
    )
    return min(limit or MAX_CHECKED_BODY, MAX_CHECKED_BODY)


def _declared_length(scope: Scope) -> int:
    for key, value in scope.get("headers", []):
        if key == b"content-length":
            return int(value) if value.isdigit() else 0
    return 0


async def _read_body(receive: Receive, limit: int) -> tuple[bytes, list[ReceiveMessage]]:
    """The whole body, and the messages that carried it (to replay when it is too big)."""
    chunks: list[bytes] = []
    size = 0
    messages: list[ReceiveMessage] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False) or size > limit:
            break
    return b"".join(chunks), messages


def _replay(messages: list[ReceiveMessage], receive: Receive) -> Receive:
    pending = list(messages)

    async def replayed() -> ReceiveMessage:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed


def _with_body(scope: Scope, body: bytes) -> None:
    headers = [(k, v) for k, v in scope["headers"] if k != b"content-length"]
    headers.append((b"content-length", str(len(body)).encode()))
    scope["headers"] = headers


class InputGuardMiddleware:
    """Refuses or cleans control characters in path, query, form and JSON bodies."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # The raw path too: "%00" in a path is decoded into scope["path"] by the server.
        raw_path = scope.get("raw_path") or b""
        if path_problem(scope.get("path", "")) or path_problem(unquote(raw_path.decode("latin-1"))):
            raise ControlCharacters("path")
        if scope.get("query_string") and (query := clean_query(scope["query_string"])):
            scope["query_string"] = query
        content_type = _content_type(scope).lower()
        kind = (
            "form"
            if content_type.startswith("application/x-www-form-urlencoded")
            else "json"
            if content_type.startswith("application/json") or "+json" in content_type
            else "multipart"
            if content_type.startswith("multipart/form-data")
            else None
        )
        if kind is None or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = _body_limit(scope)
        if _declared_length(scope) > limit:
            # Refused by the route's own body limit (413) before anything is read: reading
            # it here first would buffer what is about to be refused.
            await self.app(scope, receive, send)
            return
        body, messages = await _read_body(receive, limit)
        if len(body) > limit:
            await self.app(scope, _replay(messages, receive), send)
            return
        where = None
        if kind == "form":
            rewritten, where = form_body(body)
            if rewritten is not None:
                body = rewritten
                _with_body(scope, body)
        elif kind == "json":
            try:
                document = json.loads(body) if body.strip() else None
            except ValueError:
                document = None  # not ours to judge: the handler answers malformed JSON
            where = json_problem(document)
        else:
            where = multipart_problem(body, content_type)
        if where:
            raise ControlCharacters(where)
        tail = [m for m in messages if m["type"] != "http.request"]
        await self.app(
            scope,
            _replay([{"type": "http.request", "body": body, "more_body": False}, *tail], receive),
            send,
        )
