"""Staff pages of the catalogue (Bestand): titles, add by ISBN, copies, labels."""

from __future__ import annotations

import math
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.params import PathParameter, QueryParameter
from litestar.response import File

from mediathek.catalogue import copies as copy_service
from mediathek.catalogue import covers, isbn, labels, services
from mediathek.catalogue.inputs import ComponentInput, CopyChange, NewCopies, TitleInput
from mediathek.catalogue.policy import STAFF_SETTABLE_STATUSES, normalise_isbn
from mediathek.errors import InvalidInput, NotFound
from mediathek.i18n import N_, _
from mediathek.web.forms import Form, Id, form_value, form_values
from mediathek.web.guards import Access
from mediathek.web.rendering import AppSettings, Today, redirect, render

PER_PAGE = 50

TITLE_FIELDS = (
    "title", "subtitle", "authors", "isbn", "media_type", "level_min", "level_max", "age_min",
    "age_max", "description", "publisher", "year", "series", "volume", "notes",
)  # fmt: skip


def actor(request: Request) -> services.Actor:
    user = request.scope["user"]
    return services.Actor(user.account_id, user.display_name)


def read_title_form(form: dict[str, Any]) -> dict:
    """The title form's values as the page shows them again (lists for the repeated fields)."""
    values: dict[str, Any] = {name: form_value(form, name).strip() for name in TITLE_FIELDS}
    values["languages"] = form_values(form, "languages")
    new_topics = [t.strip() for t in form_value(form, "new_topics").split(",") if t.strip()]
    values["topics"] = [*form_values(form, "topics"), *new_topics]
    values["components"] = [
        (name, qty)
        for name, qty in zip(
            form_values(form, "component_name"), form_values(form, "component_qty"), strict=False
        )
        if name.strip() or qty.strip()
    ]
    return values


def title_input(values: dict) -> TitleInput:
    """The form's values as the catalogue services take them."""
    return TitleInput(
        **{name: values[name] for name in TITLE_FIELDS},
        languages=values["languages"],
        topics=values["topics"],
        components=[ComponentInput(name, qty) for name, qty in values["components"]],
    )


def empty_form() -> dict:
    return {name: "" for name in TITLE_FIELDS} | {
        "languages": [],
        "topics": [],
        "components": [],
        "media_type": "book",
    }


async def form_context(values: dict, errors: dict | None = None, **extra) -> dict:
    # One empty component row is always offered, so a kit's parts can be typed at once.
    rows = [*values.get("components", []), ("", "")]
    return {
        "values": values,
        "errors": errors or {},
        "component_rows": rows,
        "topic_choices": sorted(
            {*await services.topic_names(), *values.get("topics", [])}, key=str.casefold
        ),
        **extra,
    }


def edit_buttons(values: dict, form: dict[str, Any]) -> bool:
    """Handle 'add/remove a component row' (works without JavaScript): True if one was used."""
    if "add_component" in form:
        values["components"].append(("", ""))
        return True
    remove = form_value(form, "remove_component") if "remove_component" in form else None
    if remove is not None and remove.isascii() and remove.isdigit():
        index = int(remove)
        values["components"] = [c for i, c in enumerate(values["components"]) if i != index]
        return True
    return False


WITHDRAW_DETAIL = N_(
    "Der Titel verschwindet aus dem Katalog, alle Exemplare werden ausgesondert. Die "
    "Ausleihhistorie bleibt. Das lässt sich danach auf dieser Seite rückgängig machen."
)


class TitleController(Controller):
    path = "/verwaltung/titel"
    opt = {"access": Access.staff}
    include_in_schema = False

    @get("/")
    async def list_titles(
        self,
        request: Request,
        q: Annotated[str, QueryParameter(name="q", max_length=200)] = "",
        medienart: Annotated[str, QueryParameter(name="medienart", max_length=30)] = "",
        seite: Annotated[int, QueryParameter(name="seite", ge=1, le=100_000)] = 1,
        ausgesondert: Annotated[bool, QueryParameter(name="ausgesondert")] = False,
    ) -> Response:
        rows, total = await services.list_titles(
            q, medienart, seite, PER_PAGE, include_withdrawn=ausgesondert
        )
        return render(
            request,
            "catalogue/staff/titles.html",
            fragment="catalogue/staff/_title_rows.html",
            rows=rows,
            total=total,
            q=q,
            medienart=medienart,
            ausgesondert=ausgesondert,
            page_no=seite,
            pages=max(1, math.ceil(total / PER_PAGE)),
        )

    @get("/neu")
    async def new_title(
        self,
        request: Request,
        settings: AppSettings,
        isbn_query: Annotated[str, QueryParameter(name="isbn", max_length=40)] = "",
    ) -> Response:
        """The empty form; with ?isbn= the metadata services fill it first."""
        values, lookup, errors, status = empty_form(), None, {}, 200
        if isbn_query.strip():
            try:
                lookup = await isbn.lookup_isbn(isbn_query, settings)
            except InvalidInput as exc:
                errors, status = exc.errors, 422
                values["isbn"] = isbn_query
            else:
                values |= lookup.fields
        ctx = await form_context(values, errors, lookup=lookup, isbn_query=isbn_query)
        return render(
            request,
            "catalogue/staff/title_new.html",
            fragment="catalogue/staff/_title_new_body.html",
            status_code=status,
            copies="1",
            shelf_mark="",
            **ctx,
        )

    @post("/neu", status_code=200)
    async def create_title(
        self, request: Request, settings: AppSettings, data: Form, today: Today
    ) -> Response:
        values = read_title_form(data)
        copies = form_value(data, "copies") if "copies" in data else "1"
        shelf_mark = form_value(data, "shelf_mark")
        cover = isbn.cover_for_new_title(
            settings, normalise_isbn(values["isbn"]), form_value(data, "cover_file")
        )
        values["cover_file"] = cover
        if edit_buttons(values, data):
            ctx = await form_context(values, lookup=None, isbn_query="")
            return render(
                request,
                "catalogue/staff/title_new.html",
                copies=copies,
                shelf_mark=shelf_mark,
                **ctx,
            )
        try:
            title_id = await services.create_title(
                title_input(values),
                today,
                actor(request),
                cover_file=cover,
                copies=copies,
                shelf_mark=shelf_mark,
                prefix=settings.copy_barcode_prefix,
            )
        except services.IsbnAlreadyCatalogued as exc:
            errors = {"isbn": exc.message}
            ctx = await form_context(
                values, errors, lookup=None, isbn_query="", existing_id=exc.title_id
            )
            return render(
                request,
                "catalogue/staff/title_new.html",
                status_code=422,
                copies=copies,
                shelf_mark=shelf_mark,
                **ctx,
            )
        except InvalidInput as exc:
            ctx = await form_context(values, exc.errors, lookup=None, isbn_query="")
            return render(
                request,
                "catalogue/staff/title_new.html",
                status_code=422,
                copies=copies,
                shelf_mark=shelf_mark,
                **ctx,
            )
        return redirect(request, f"/verwaltung/titel/{title_id}?neu=1")

    @get("/{title_id:int}")
    async def show_title(
        self,
        request: Request,
        title_id: Id,
        neu: Annotated[int, QueryParameter(name="neu", ge=0, le=1)] = 0,
        meldung: Annotated[str, QueryParameter(name="meldung", max_length=40)] = "",
    ) -> Response:
        t = await services.get_title(title_id, include_withdrawn=True)
        return render(
            request,
            "catalogue/staff/title.html",
            t=t,
            created=bool(neu),
            notice=meldung,
            settable=STAFF_SETTABLE_STATUSES,
            errors={},
        )

    @get("/{title_id:int}/bearbeiten")
    async def edit_title(self, request: Request, title_id: Id) -> Response:
        t = await services.get_title(title_id, include_withdrawn=True)
        values = {name: t[name] if t[name] is not None else "" for name in TITLE_FIELDS}
        values["isbn"] = t["isbn_display"]
        values |= {
            "languages": t["languages"],
            "topics": t["topics"],
            "components": [(c["name"], c["quantity"]) for c in t["components"]],
        }
        ctx = await form_context(values, t=t)
        return render(request, "catalogue/staff/title_edit.html", **ctx)

    @post("/{title_id:int}/bearbeiten", status_code=200)
    async def update_title(
        self, request: Request, title_id: Id, data: Form, today: Today
    ) -> Response:
        t = await services.get_title(title_id, include_withdrawn=True)
        values = read_title_form(data)
        if edit_buttons(values, data):
            return render(
                request, "catalogue/staff/title_edit.html", **await form_context(values, t=t)
            )
        try:
            await services.update_title(title_id, title_input(values), today, actor(request))
        except InvalidInput as exc:
            ctx = await form_context(values, exc.errors, t=t)
            return render(request, "catalogue/staff/title_edit.html", status_code=422, **ctx)
        return redirect(request, f"/verwaltung/titel/{title_id}?meldung=gespeichert")

    @post("/{title_id:int}/aussondern", status_code=200)
    async def withdraw_title(self, request: Request, title_id: Id, data: Form) -> Response:
        """Asked first (the page's dialog, or a page of its own without JavaScript)."""
        if not form_value(data, "confirmed"):
            t = await services.get_title(title_id, include_withdrawn=True)
            return render(
                request,
                "confirm.html",
                question=_("„%(title)s“ aussondern?") % {"title": t["title"]},
                detail=_(WITHDRAW_DETAIL),
                action=f"/verwaltung/titel/{title_id}/aussondern",
                fields={},
                button=_("Titel aussondern"),
                back=f"/verwaltung/titel/{title_id}",
            )
        await services.withdraw_title(title_id, actor(request), note=form_value(data, "note")[:500])
        return redirect(request, f"/verwaltung/titel/{title_id}?meldung=ausgesondert")

    @post("/{title_id:int}/wieder-aufnehmen", status_code=200)
    async def reinstate_title(self, request: Request, title_id: Id) -> Response:
        """Undo "Titel aussondern": back in the catalogue, copies as they were."""
        await services.reinstate_title(title_id, actor(request))
        return redirect(request, f"/verwaltung/titel/{title_id}?meldung=wieder-aufgenommen")

    @post("/{title_id:int}/exemplare", status_code=200)
    async def add_copies(
        self, request: Request, settings: AppSettings, title_id: Id, data: Form, today: Today
    ) -> Response:
        try:
            await copy_service.add_copies(
                title_id,
                NewCopies(form_value(data, "count"), form_value(data, "shelf_mark")),
                settings.copy_barcode_prefix,
                today,
                actor(request),
            )
        except InvalidInput as exc:
            t = await services.get_title(title_id, include_withdrawn=True)
            return render(
                request,
                "catalogue/staff/title.html",
                status_code=422,
                t=t,
                created=False,
                notice="",
                settable=STAFF_SETTABLE_STATUSES,
                errors=exc.errors,
            )
        return redirect(request, f"/verwaltung/titel/{title_id}?meldung=exemplare#exemplare")


class CopyController(Controller):
    path = "/verwaltung/exemplare"
    opt = {"access": Access.staff}
    include_in_schema = False

    @post("/{copy_id:int}", status_code=200)
    async def change_copy(self, request: Request, copy_id: Id, data: Form) -> Response:
        change = CopyChange(
            status=form_value(data, "status") or None,
            shelf_mark=form_value(data, "shelf_mark") if "shelf_mark" in data else None,
            note=form_value(data, "status_note") if "status_note" in data else None,
        )
        copy = await copy_service.change_copy(copy_id, change, actor(request))
        return redirect(request, f"/verwaltung/titel/{copy['title']}?meldung=exemplar#exemplare")

    @get("/{copy_id:int}/barcode.svg")
    async def copy_barcode(self, copy_id: Id) -> Response:
        copy = await copy_service.get_copy(copy_id)
        return Response(
            labels.barcode_svg(copy["barcode"]),
            media_type="image/svg+xml",
            headers={"Cache-Control": "max-age=86400"},
        )


@get("/verwaltung/etiketten", access=Access.staff, include_in_schema=False)
async def label_sheet(
    request: Request,
    titel: Annotated[list[int] | None, QueryParameter(name="titel")] = None,
    exemplar: Annotated[list[int] | None, QueryParameter(name="exemplar")] = None,
    code: Annotated[str, QueryParameter(name="codes", max_length=5000)] = "",
    bogen: Annotated[str, QueryParameter(name="bogen", max_length=10)] = labels.DEFAULT_LAYOUT,
    start: Annotated[int, QueryParameter(name="start", ge=1, le=100)] = 1,
) -> Response:
    """An A4 sheet of labels for the chosen titles' copies, copies or barcodes."""
    layout = labels.LAYOUTS.get(bogen, labels.LAYOUTS[labels.DEFAULT_LAYOUT])
    codes = [c for c in code.replace(",", " ").split() if c]
    copies = await copy_service.copies_for_labels(titel or [], exemplar or [], codes)
    items = [{**c, "svg": labels.barcode_svg(c["barcode"])} for c in copies]
    return render(
        request,
        "catalogue/staff/labels.html",
        pages=labels.sheet_pages(items, layout, start),
        layout=layout,
        layouts=labels.LAYOUTS.values(),
        start=start,
        count=len(items),
        titel=titel or [],
        exemplar=exemplar or [],
        codes=code,
    )


@get("/verwaltung/titelbild/{name:str}", access=Access.staff, include_in_schema=False)
async def looked_up_cover(
    request: Request, settings: AppSettings, name: Annotated[str, PathParameter(max_length=200)]
) -> File:
    """Preview of a cover the ISBN lookup stored, before the title is saved."""
    path = covers.cover_path(settings, name)
    if path is None:
        raise NotFound(_("Dieses Titelbild gibt es nicht."))
    return File(path=path, content_disposition_type="inline")


ROUTES = [TitleController, CopyController, label_sheet, looked_up_cover]
STAFF_LINKS = [
    (N_("Bestand"), "/verwaltung/titel", N_("Titel und Exemplare anlegen, ändern, aussondern")),
    (N_("Titel per ISBN"), "/verwaltung/titel/neu", N_("ISBN scannen, Angaben übernehmen")),
    (N_("Etiketten"), "/verwaltung/etiketten", N_("Strichcode-Etiketten auf A4 drucken")),
]
