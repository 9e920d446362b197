"""create_app(settings) -> Litestar: engine, templates, static files, routes, errors."""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar, Router
from litestar.config.csrf import CSRFConfig
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, YamlRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.htmx import HTMXPlugin, HTMXRequest
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig
from piccolo.engine.base import Engine

from mediathek.db import connection_pool, make_engine, use_engine
from mediathek.info.services import SiteInfoCache, SiteInfoMiddleware
from mediathek.settings import Settings
from mediathek.web.auth import AuthMiddleware
from mediathek.web.errors import EXCEPTION_HANDLERS
from mediathek.web.guards import Access, access_guard, check_every_route_has_access
from mediathek.web.input_guard import InputGuardMiddleware
from mediathek.web.middleware import TokenAwareCSRFMiddleware, around_every_answer
from mediathek.web.templating import STATIC_DIR, make_environment

# Each area module exports ROUTES, and may export STAFF_LINKS / ADMIN_LINKS:
# lists of (label, href, description) shown on the staff overview and the admin page,
# and ON_STARTUP: ``async def hook(settings)`` run when the app starts (recovery after a crash).
AREA_MODULES = [
    "mediathek.home_pages",
    "mediathek.patrons.borrower_pages",
    "mediathek.patrons.registration_pages",
    "mediathek.patrons.my_account_pages",
    "mediathek.patrons.roles_pages",
    "mediathek.api.patrons",
    "mediathek.catalogue.title_pages",
    "mediathek.catalogue.staff_pages",
    "mediathek.search.catalogue_pages",
    "mediathek.api.search",
    "mediathek.circulation.desk_pages",
    "mediathek.api.circulation",
    "mediathek.reservations.reservation_pages",
    "mediathek.api.reservations",
    "mediathek.notifications.outbox_pages",
    "mediathek.api.notifications",
    "mediathek.reports.statistics_pages",
    "mediathek.reports.privacy_pages",
    "mediathek.catalogue.import_pages",
    "mediathek.api.catalogue",
    "mediathek.reports.stocktake_pages",
    "mediathek.api.reports",
    "mediathek.info.info_pages",
]


def area_modules() -> list:
    return [importlib.import_module(name) for name in AREA_MODULES]


def route_handlers() -> list:
    return [handler for module in area_modules() for handler in module.ROUTES]


def links(kind: str) -> list[tuple[str, str, str]]:
    return [link for module in area_modules() for link in getattr(module, kind, [])]


def startup_hooks() -> list:
    return [hook for module in area_modules() for hook in getattr(module, "ON_STARTUP", [])]


def create_app(
    settings: Settings | None = None, engine: Engine | None = None, own_pool: bool = True
) -> Litestar:
    """``own_pool=False`` leaves PostgreSQL's connection pool to the caller (tests run each
    test in its own event loop and an asyncpg pool belongs to one loop)."""
    settings = settings or Settings.from_env()
    engine = engine or make_engine(settings.database_url)
    use_engine(engine)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        use_engine(engine)
        for hook in startup_hooks():
            try:
                await hook(settings)
            except Exception:  # a failed clean-up must not keep the site down
                logging.getLogger("mediathek").exception("Start-up hook %s failed", hook)
        if not own_pool:
            yield
            return
        # Daily reminders and outbox delivery run in the background (when enabled).
        from mediathek.jobs.scheduler import scheduler_running

        async with connection_pool(engine), scheduler_running(settings):
            from mediathek.search.index import warm_up

            warming = asyncio.create_task(warm_up())
            try:
                yield
            finally:
                warming.cancel()

    csrf = CSRFConfig(
        secret=settings.secret_key,
        cookie_name="mediathek_csrf",
        header_name="x-csrftoken",
        cookie_secure=settings.secure_cookies,
        cookie_samesite="lax",
        cookie_httponly=False,
        exclude=["/static/"],
    )
    openapi = OpenAPIConfig(
        title="Mediathek API",
        version="1",
        description="JSON-API der Mediathek. Anmeldung über Sitzung (Browser) oder "
        "persönliches API-Token (Authorization: Bearer …).",
        render_plugins=[JsonRenderPlugin(), YamlRenderPlugin()],
        openapi_router=Router(path="/schema", route_handlers=[], opt={"access": Access.public}),
        components=Components(
            security_schemes={
                "bearer": SecurityScheme(type="http", scheme="bearer"),
                "session": SecurityScheme(
                    type="apiKey", name="mediathek_session", security_scheme_in="cookie"
                ),
            }
        ),
    )
    app = Litestar(
        route_handlers=[
            *route_handlers(),
            create_static_files_router(
                path="/static",
                directories=[STATIC_DIR],
                opt={"access": Access.public},
                include_in_schema=False,
                cache_control=None,
            ),
        ],
        middleware=[
            InputGuardMiddleware,
            AuthMiddleware,
            SiteInfoMiddleware,
            DefineMiddleware(TokenAwareCSRFMiddleware, config=csrf),
        ],
        guards=[access_guard],
        request_class=HTMXRequest,
        plugins=[HTMXPlugin()],
        template_config=TemplateConfig(
            instance=JinjaTemplateEngine.from_environment(make_environment(settings))
        ),
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=openapi,
        lifespan=[lifespan],
        # No request body is read beyond this, the largest upload plus its form around it.
        request_max_body_size=settings.max_upload_bytes + 64 * 1024,
        debug=False,
    )
    # Outside routing and error handling: every answer gets the security headers (404, 405
    # and CSRF refusals too) and HEAD is served wherever GET is.
    app.asgi_handler = around_every_answer(app.asgi_handler)
    app.state.settings = settings
    app.state.staff_links = links("STAFF_LINKS")
    app.state.admin_links = links("ADMIN_LINKS")
    app.state.engine = engine
    app.state.site_info = SiteInfoCache()
    check_every_route_has_access(app)
    return app


def create_app_from_env() -> Litestar:
    """Factory for ``uvicorn --factory`` (several worker processes)."""
    return create_app(Settings.from_env())
