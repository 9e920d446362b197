"""JSON API of the catalogue (/api/v1): titles and copies over the same services as the pages.

Reading is public (like the catalogue pages); writing and the ISBN lookup need staff.
Errors are problem documents (RFC 9457) with a German ``detail``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from litestar import Request, Response, get, patch, post, put
from litestar.params import JSONBody, Parameter, QueryParameter

from mediathek.api.common import problems
from mediathek.catalogue import copies as copy_service
from mediathek.catalogue import isbn, services
from mediathek.catalogue.inputs import ComponentInput, CopyChange, NewCopies, TitleInput
from mediathek.catalogue.policy import display_isbn
from mediathek.web.forms import Id
from mediathek.web.guards import Access
from mediathek.web.rendering import AppSettings, MaybeUser, Today

STAFF_SECURITY: list[dict[str, list[str]]] = [{"bearer": []}, {"session": []}]


# The bodies are the services' inputs, narrowed to JSON numbers where the forms have text.
@dataclass
class ComponentIn(ComponentInput):
    quantity: int = 1


@dataclass
class TitleIn(TitleInput):
    components: list[ComponentIn] = field(default_factory=list)
    year: int | None = None


@dataclass
class NewTitleIn(TitleIn):
    copies: int = 0
    shelf_mark: str = ""


@dataclass
class CopiesIn(NewCopies):
    count: int = 1


def _actor(request: Request) -> services.Actor:
    user = request.scope["user"]
    return services.Actor(user.account_id, user.display_name)


def _copy_out(c: dict, staff: bool) -> dict:
    out = {
        "id": c["id"],
        "barcode": c["barcode"],
        "shelf_mark": c["shelf_mark"],
        "status": c["status"],
        "due_on": c["due_on"].isoformat() if c.get("due_on") else None,
    }
    if staff:
        out["status_note"] = c["status_note"]
    return out


def title_out(t: dict, staff: bool = False) -> dict:
    """Public view of a title; staff also get the internal notes. Never who has a copy."""
    out = {
        k: t[k]
        for k in (
            "id", "title", "subtitle", "authors", "isbn", "media_type", "level_min",
            "level_max", "age_min", "age_max", "description", "publisher", "year", "series",
            "volume", "languages", "topics",
        )
    }  # fmt: skip
    out["components"] = [{"name": c["name"], "quantity": c["quantity"]} for c in t["components"]]
    out["cover_url"] = f"/titel/{t['id']}/cover" if t["cover_file"] else None
    out["copies"] = [
        _copy_out(c, staff) for c in t["copies"] if staff or c["status"] != "withdrawn"
    ]
    out["available_copies"] = sum(1 for c in t["copies"] if c["status"] == "available")
    if staff:
        out["notes"] = t["notes"]
        out["withdrawn_at"] = t["withdrawn_at"].isoformat() if t["withdrawn_at"] else None
    return out


@get("/api/v1/titles", access=Access.public, tags=["Katalog"], responses=problems(400))
async def list_titles(
    q: Annotated[str, QueryParameter(name="q", max_length=200)] = "",
    media_type: Annotated[str, QueryParameter(name="media_type", max_length=30)] = "",
    page: Annotated[int, QueryParameter(name="page", ge=1, le=100_000)] = 1,
    per_page: Annotated[int, QueryParameter(name="per_page", ge=1, le=200)] = 50,
) -> dict:
    """Titles in the catalogue (not withdrawn), filtered by words and media type.

    For the full German-aware search with facets use the catalogue search page."""
    rows, total = await services.list_titles(q, media_type, page, per_page)
    items = [
        {
            "id": r["id"],
            "title": r["title"],
            "subtitle": r["subtitle"],
            "authors": r["authors"],
            "isbn": r["isbn"],
            "media_type": r["media_type"],
            "publisher": r["publisher"],
            "year": r["year"],
            "url": f"/titel/{r['id']}",
        }
        for r in rows
    ]
    return {"items": items, "total": total, "page": page, "per_page": per_page}


@get(
    "/api/v1/titles/{title_id:int}", access=Access.public, tags=["Katalog"], responses=problems(404)
)
async def get_title(user: MaybeUser, title_id: Id) -> dict:
    """A title with languages, topics, components and each copy's availability."""
    staff = bool(user and user.is_staff)
    return title_out(await services.get_title(title_id, include_withdrawn=staff), staff)


@post(
    "/api/v1/titles",
    access=Access.staff,
    tags=["Katalog"],
    security=STAFF_SECURITY,
    responses=problems(400, 401, 403, 409, 422),
)
async def create_title(
    request: Request, settings: AppSettings, data: JSONBody[NewTitleIn], today: Today
) -> Response:
    """Create a title (optionally with its first copies). 409 with ``title_id`` when the
    ISBN is already catalogued: add a copy there instead."""
    title_id = await services.create_title(
        data,
        today,
        _actor(request),
        copies=data.copies,
        shelf_mark=data.shelf_mark,
        prefix=settings.copy_barcode_prefix,
    )
    body = title_out(await services.get_title(title_id), staff=True)
    return Response(body, status_code=201, headers={"Location": f"/api/v1/titles/{title_id}"})


@put(
    "/api/v1/titles/{title_id:int}",
    access=Access.staff,
    tags=["Katalog"],
    security=STAFF_SECURITY,
    responses=problems(400, 401, 403, 404, 422),
)
async def update_title(
    request: Request, title_id: Id, data: JSONBody[TitleIn], today: Today
) -> dict:
    """Replace every field of a title (languages, topics, components included)."""
    await services.update_title(title_id, data, today, _actor(request))
    return title_out(await services.get_title(title_id, include_withdrawn=True), staff=True)


@post(
    "/api/v1/titles/{title_id:int}/withdraw",
    access=Access.staff,
    tags=["Katalog"],
    security=STAFF_SECURITY,
    status_code=200,
    responses=problems(401, 403, 404, 409),
)
async def withdraw_title(request: Request, title_id: Id) -> dict:
    """Withdraw a title and its copies (history stays). 409 while a copy is lent or on the
    pickup shelf."""
    n = await services.withdraw_title(title_id, _actor(request))
    return {"id": title_id, "withdrawn_copies": n}


@post(
    "/api/v1/titles/{title_id:int}/copies",
    access=Access.staff,
    tags=["Katalog"],
    security=STAFF_SECURITY,
    responses=problems(400, 401, 403, 404, 409, 422),
)
async def add_copies(
    request: Request, settings: AppSettings, title_id: Id, data: JSONBody[CopiesIn], today: Today
) -> dict:
    """Add copies; each gets the next barcode (prefix + number + check digit)."""
    codes = await copy_service.add_copies(
        title_id,
        data,
        settings.copy_barcode_prefix,
        today,
        _actor(request),
    )
    return {"title_id": title_id, "barcodes": codes}


@patch(
    "/api/v1/copies/{copy_id:int}",
    access=Access.staff,
    tags=["Katalog"],
    security=STAFF_SECURITY,
    responses=problems(400, 401, 403, 404, 409, 422),
)
async def change_copy(request: Request, copy_id: Id, data: JSONBody[CopyChange]) -> dict:
    """Change a copy's shelf mark, note or status (available, needs_check, in_repair, lost,
    withdrawn). Lent copies and those on the pickup shelf keep their status: 409."""
    copy = await copy_service.change_copy(copy_id, data, _actor(request))
    return {
        "id": copy["id"],
        "title_id": copy["title"],
        "barcode": copy["barcode"],
        "shelf_mark": copy["shelf_mark"],
        "status": copy["status"],
        "status_note": copy["status_note"],
    }


@get(
    "/api/v1/isbn/{isbn_text:str}",
    access=Access.staff,
    tags=["Katalog"],
    security=STAFF_SECURITY,
    responses=problems(401, 403, 422),
)
async def lookup_isbn(
    request: Request, settings: AppSettings, isbn_text: Annotated[str, Parameter(max_length=40)]
) -> dict:
    """Look an ISBN up: ``existing_title_id`` when it is catalogued, else the metadata found
    (``found``) to fill a new title, or a message when the services are unreachable."""
    result = await isbn.lookup_isbn(isbn_text, settings)
    out = result.as_dict()
    out["isbn_display"] = display_isbn(result.isbn13)
    return out


ROUTES = [
    list_titles,
    get_title,
    create_title,
    update_title,
    withdraw_title,
    add_copies,
    change_copy,
    lookup_isbn,
]
