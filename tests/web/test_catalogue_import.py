import asyncio
import io

from openpyxl import Workbook

from mediathek.catalogue import import_jobs
from mediathek.catalogue.tables import Component, Copy, ImportJob, Title, TitleLanguage
from tests.catalogue_fixtures import make_title

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
    job = await asyncio.wait_for(import_jobs.wait_for(job_id), 30)
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
        job = await asyncio.wait_for(import_jobs.wait_for(job_id), 30)
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
    await make_title(
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
    await make_title(copies=2, media_type="kit", components=[("Würfel", "2")])
    async with client_for(staff) as c:
        r = await c.get("/verwaltung/export.csv")
        assert r.headers["content-type"].startswith("text/csv")
        text = r.text.lstrip("\ufeff")
        assert text.startswith("Titel;Untertitel;Autor*innen;ISBN;Medienart")
        assert "Medienkoffer" in text and "2 x Würfel" in text and "M0000018 M0000026" in text
        job = await upload(c, "export.csv", r.content, "import")
    assert job["status"] == "done" and job["created_titles"] == 0
    assert await Title.count() == 1


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
