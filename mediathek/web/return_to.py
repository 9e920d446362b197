"""Where a login sends the person afterwards: back to the page she was on, never elsewhere.

The login form carries the target as ``next``; the login handler checks it once more,
since a form can be forged.
"""

from __future__ import annotations

from urllib.parse import urlsplit

# Requests that change something cannot be repeated by a redirect (a GET on a POST-only
# route answers "Methode nicht erlaubt"): after the login she goes back to the page instead.
SAFE_METHODS = frozenset({"GET", "HEAD"})


def safe_next(target: str | None) -> str:
    """A path on this site, or "" when ``target`` is absent or could lead elsewhere.

    Browsers read "//host", "/\\host" and paths with control characters as links to another
    host; an open redirect would let a phishing link pass through our login."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return ""
    if any(ch == "\\" or ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return ""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return ""
    return target[:2000]


def page_of(url: str | None, host: str) -> str:
    """The local path (with query) of a page URL from a header, if it is on ``host``."""
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != host:
        return ""
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return safe_next(path)


def return_target(method: str, path: str, query: str, headers: dict[str, str]) -> str:
    """Where to continue after a login that this request had to ask for."""
    if method.upper() in SAFE_METHODS:
        return safe_next(path + (f"?{query}" if query else ""))
    # HTMX names the page it was sent from; a plain form has the Referer.
    host = headers.get("host", "")
    return page_of(headers.get("hx-current-url"), host) or page_of(headers.get("referer"), host)
