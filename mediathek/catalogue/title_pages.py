"""Public catalogue pages: the title page and its cover image."""

from __future__ import annotations

from litestar import Request, Response, get
from litestar.response import File

from mediathek.catalogue import covers, services
from mediathek.errors import NotFound
from mediathek.web.forms import Id
from mediathek.web.guards import Access
from mediathek.web.rendering import AppSettings, MaybeUser, render


@get("/titel/{title_id:int}", access=Access.public, include_in_schema=False, visitor_page=True)
async def title_page(request: Request, user: MaybeUser, title_id: Id) -> Response:
    # Staff still see a withdrawn title (its history); for everyone else it is gone.
    t = await services.get_title(title_id, include_withdrawn=bool(user and user.is_staff))
    return render(request, "catalogue/title.html", t=t)


@get("/titel/{title_id:int}/cover", access=Access.public, include_in_schema=False)
async def title_cover(request: Request, settings: AppSettings, title_id: Id) -> File:
    t = await services.get_title(title_id)
    path = covers.cover_path(settings, t["cover_file"])
    if path is None:
        raise NotFound("Zu diesem Titel gibt es kein Titelbild.")
    return File(
        path=path, content_disposition_type="inline", headers={"Cache-Control": "max-age=86400"}
    )


ROUTES = [title_page, title_cover]
