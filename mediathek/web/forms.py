"""Form bodies: one annotated type for every HTML form handler."""

from __future__ import annotations

from typing import Annotated, Any

from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter

# A repeated field arrives as a list: read one value with form_value, all with form_values.
Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
# Bound ids: a huge number in a URL is a 404/400, never a database overflow (500).
Id = Annotated[int, Parameter(ge=1, le=2**31 - 1)]


def form_value(data: dict[str, Any], name: str) -> str:
    value = data.get(name, "")
    if isinstance(value, list):
        value = value[-1] if value else ""
    return str(value)


def form_values(data: dict[str, Any], name: str) -> list[str]:
    value = data.get(name, [])
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def flat(data: dict[str, Any]) -> dict[str, str]:
    return {k: form_value(data, k) for k in data if k != "_csrf_token"}
