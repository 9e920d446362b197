"""Staff pages for catalogue import (CSV/XLSX, dry run, progress) and CSV export."""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.params import MultipartBody

from mediathek.catalogue import export, import_jobs, imports
from mediathek.errors import InvalidInput
from mediathek.i18n import N_, _
from mediathek.web.forms import Id
from mediathek.web.guards import Access
from mediathek.web.rendering import AppSettings, CurrentUser, Today, redirect, render


@dataclass
class ImportUpload:
    """The upload form (multipart): the file, and whether to import or only check it."""

    file: UploadFile | None = None
    mode: str = ""


class ImportController(Controller):
    path = "/verwaltung/import"
    opt = {"access": Access.staff}
    include_in_schema = False

    @get("/")
    async def form(self, request: Request, settings: AppSettings) -> Response:
        return render(
            request,
            "catalogue/staff/import.html",
            errors={},
            headers_help=imports.EXPORT_HEADERS,
            max_upload_mb=settings.max_upload_mb,
            max_rows=imports.MAX_ROWS,
        )

    # The body limit is the app's (``create_app``): an upload over it is refused while arriving.
    @post("/", status_code=200)
    async def upload(
        self,
        request: Request,
        user: CurrentUser,
        settings: AppSettings,
        data: MultipartBody[ImportUpload],
    ) -> Response:
        upload = data.file
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise InvalidInput(
                _("Bitte wählen Sie eine Datei aus."),
                errors={"file": _("Bitte wählen Sie eine Datei aus.")},
            )
        content = await upload.read(settings.max_upload_bytes + 1)
        if len(content) > settings.max_upload_bytes:
            raise RequestEntityTooLarge()  # the form around the file fitted, the file not
        job_id = await import_jobs.start_import(
            settings,
            upload.filename,
            content,
            dry_run=data.mode != "import",
            account_id=user.account_id,
        )
        return redirect(request, f"/verwaltung/import/{job_id}")

    @get("/{job_id:int}")
    async def job(self, request: Request, job_id: Id) -> Response:
        job = await import_jobs.get_job(job_id)
        return render(
            request,
            "catalogue/staff/import_job.html",
            fragment="catalogue/staff/_import_job.html",
            job=job,
        )

    @post("/{job_id:int}/ausfuehren", status_code=200)
    async def run_for_real(
        self, request: Request, user: CurrentUser, settings: AppSettings, job_id: Id
    ) -> Response:
        new_id = await import_jobs.repeat_for_real(settings, job_id, user.account_id)
        return redirect(request, f"/verwaltung/import/{new_id}")


@get("/verwaltung/export.csv", access=Access.staff, include_in_schema=False)
async def export_catalogue(today: Today) -> Response:
    day = today.isoformat()
    return Response(
        await export.export_csv(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="mediathek-bestand-{day}.csv"'},
    )


ROUTES = [ImportController, export_catalogue]
ON_STARTUP = [import_jobs.recover_interrupted]
STAFF_LINKS = [
    (
        N_("Import / Export"),
        "/verwaltung/import",
        N_("Titel aus CSV oder Excel übernehmen, Bestand als CSV"),
    ),
]
