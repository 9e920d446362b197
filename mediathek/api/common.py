"""What every API module shares: security schemes, problem documents."""

from __future__ import annotations

from dataclasses import dataclass

from litestar.openapi.datastructures import ResponseSpec

# Browser session or personal API token.
SECURITY: list[dict[str, list[str]]] = [{"bearer": []}, {"session": []}]


@dataclass
class Problem:
    """RFC 9457 problem document, as ``web/errors.py`` writes it."""

    type: str
    title: str
    status: int
    detail: str
    errors: dict[str, str] | None = None


DESCRIPTIONS = {
    400: "Ungültiges Format (Pfad, Query oder JSON)",
    401: "Nicht angemeldet",
    403: "Kein Zugriff",
    404: "Nicht gefunden",
    409: "Nicht möglich im jetzigen Zustand (detail sagt warum)",
    422: "Eingaben fehlerhaft (errors: Feld → Meldung)",
}


def problems(*codes: int) -> dict[int, ResponseSpec]:
    """OpenAPI responses for these error codes (400 always: any input can be malformed)."""
    return {
        code: ResponseSpec(
            data_container=Problem,
            description=DESCRIPTIONS[code],
            media_type="application/problem+json",
            generate_examples=False,
        )
        for code in sorted({400, *codes})
    }
