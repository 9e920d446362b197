"""create_app(settings) -> Litestar: engine, templates, static files, routes, errors."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import ModuleType

from litestar import Litestar, Router
from litestar.config.csrf import CSRFConfig
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, YamlRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.htmx import HTMXPlugin, HTMXRequest
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig
from piccolo.engine.base import Engine

from mediathek import home_pages
from mediathek.api import catalogue as api_catalogue
from mediathek.api import circulation as api_circulation
from mediathek.api import notifications as api_notifications
from mediathek.api import patrons as api_patrons
from mediathek.api import reports as api_reports
from mediathek.api import reservations as api_reservations
from mediathek.api import search as api_search
from mediathek.catalogue import import_pages, staff_pages, title_pages
from mediathek.catalogue.policy import copy_note_text
from mediathek.catalogue.tables import COPY_STATUS_LABELS
from mediathek.circulation import desk_pages
from mediathek.circulation.policy import due_reason_text
from mediathek.db import connection_pool, make_engine, use_engine
from mediathek.info import info_pages
from mediathek.info.services import SiteInfoCache, SiteInfoMiddleware
from mediathek.jobs.daily import DAILY_JOBS, check_daily_jobs
from mediathek.jobs.scheduler import scheduler_running
from mediathek.notifications import outbox_pages
from mediathek.patrons import (
    borrower_pages,
    login_pages,
    my_account_pages,
    registration_pages,
    roles_pages,
    sessions,
)
from mediathek.reports import privacy_pages, statistics_pages, stocktake_pages
from mediathek.reservations import basket_pages, reservation_pages
from mediathek.search import catalogue_pages
from mediathek.settings import STATIC_DIR, Settings
from mediathek.web.auth import AuthMiddleware, LoginLookup
from mediathek.web.errors import EXCEPTION_HANDLERS
from mediathek.web.guards import Access, access_guard, check_every_route_has_access
from mediathek.web.input_guard import InputGuardMiddleware
from mediathek.web.language import AccountLanguage, choose_language
from mediathek.web.middleware import TokenAwareCSRFMiddleware, around_every_answer
from mediathek.web.page_cache import PageStore, VisitorPageCache
from mediathek.web.rendering import provide_settings, provide_today, provide_user
from mediathek.web.templating import make_environment

# Each area module exports ROUTES, and may export STAFF_LINKS / ADMIN_LINKS:
# lists of (label, href, description) shown on the staff overview and the admin page,
# and ON_STARTUP: ``async def hook(settings)`` run when the app starts (recovery after a crash).
AREA_MODULES: list[ModuleType] = [
    home_pages,
    login_pages,
    borrower_pages,
    registration_pages,
    my_account_pages,
    roles_pages,
    api_patrons,
    title_pages,
    staff_pages,
    catalogue_pages,
    api_search,
    desk_pages,
    api_circulation,
    reservation_pages,
    basket_pages,
    api_reservations,
    outbox_pages,
    api_notifications,
    statistics_pages,
    privacy_pages,
    import_pages,
    api_catalogue,
    stocktake_pages,
    api_reports,
    info_pages,
]


def area_modules() -> list[ModuleType]:
    return AREA_MODULES


def route_handlers() -> list:
    return [handler for module in area_modules() for handler in module.ROUTES]


def links(kind: str) -> list[tuple[str, str, str]]:
    return [link for module in area_modules() for link in getattr(module, kind, [])]


def startup_hooks() -> list:
    return [hook for module in area_modules() for hook in getattr(module, "ON_STARTUP", [])]


async def _warm_up_and_settle() -> None:
    """The search's data first; then what the process has made so far is left out of the
    garbage collector's full passes (``gc.freeze``): a full pass over the app's objects took
    about 60 ms every two seconds under load, a pause every request waiting then shared."""
    from mediathek.search.index import warm_up

    await warm_up()
    gc.collect()
    gc.freeze()


def create_app(
    settings: Settings | None = None, engine: Engine | None = None, own_pool: bool = True
) -> Litestar:
    """``own_pool=False`` leaves PostgreSQL's connection pool to the caller (tests run each
    test in its own event loop and an asyncpg pool belongs to one loop)."""
    settings = settings or Settings.from_env()
    check_daily_jobs(DAILY_JOBS)
    engine = engine or make_engine(settings.database_url)
    use_engine(engine)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        # From the app's state: the tests rebind one built app to each test's database.
        settings, engine = app.state.settings, app.state.engine
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
        async with connection_pool(engine), scheduler_running(settings):
            warming = asyncio.create_task(_warm_up_and_settle())
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
            choose_language,
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
            DefineMiddleware(
                AuthMiddleware,
                logins=LoginLookup(sessions.login_of_session, sessions.login_of_api_token),
            ),
            AccountLanguage,
            SiteInfoMiddleware,
            DefineMiddleware(TokenAwareCSRFMiddleware, config=csrf),
            VisitorPageCache,
        ],
        guards=[access_guard],
        dependencies={
            "today": Provide(provide_today, sync_to_thread=False),
            "settings": Provide(provide_settings, sync_to_thread=False),
            "user": Provide(provide_user, sync_to_thread=False),
        },
        request_class=HTMXRequest,
        plugins=[HTMXPlugin()],
        template_config=TemplateConfig(
            instance=JinjaTemplateEngine.from_environment(
                make_environment(
                    settings,
                    {"copy_status_labels": COPY_STATUS_LABELS},
                    {"due_reason": due_reason_text, "copy_note": copy_note_text},
                )
            )
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
    app.state.visitor_pages = PageStore()
    check_every_route_has_access(app)
    return app


def create_app_from_env() -> Litestar:
    """Factory for ``uvicorn --factory`` (several worker processes)."""
    return create_app(Settings.from_env())
