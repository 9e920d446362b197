from mediathek.catalogue.labels import LAYOUTS, barcode_svg, sheet_pages
from mediathek.catalogue.tables import Copy
from tests.factories import catalogued_title


def test_barcode_svg_is_inline_svg_without_inline_styles():
    svg = barcode_svg("M0000018")
    assert svg.startswith("<svg ") and svg.rstrip().endswith("</svg>")
    assert "style=" not in svg and "<?xml" not in svg
    assert 'aria-label="Strichcode M0000018"' in svg


def test_sheet_leaves_used_places_empty_and_fills_pages():
    layout = LAYOUTS["3x8"]
    pages = sheet_pages(list(range(30)), layout, start=5)
    assert len(pages) == 2 and all(len(p) == 24 for p in pages)
    assert pages[0][:4] == [None] * 4 and pages[0][4] == 0
    assert pages[1] == list(range(20, 30)) + [None] * 14


async def test_label_sheet_shows_title_shelf_mark_and_code_for_each_copy(client_for, staff):
    title_id, codes = await catalogued_title(copies=3, shelf_mark="DAZ 7", title="Memo Obst")
    async with client_for(staff) as c:
        r = await c.get("/verwaltung/etiketten", params={"titel": title_id, "start": 3})
        assert r.status_code == 200
        for code in codes:
            assert f'<div class="label-code">{code}</div>' in r.text
        assert r.text.count("DAZ 7") == 3 and r.text.count(">Memo Obst<") == 3
        cells = r.text.split('<div class="label">')[1:]
        assert len(cells) == 24
        # start=3: two empty places before the first label
        assert ["label-code" in cell for cell in cells[:4]] == [False, False, True, True]
        copy = await Copy.select(Copy.id).first()
        svg = await c.get(f"/verwaltung/exemplare/{copy['id']}/barcode.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.text.startswith("<svg")


async def test_barcode_images_are_for_staff_only(client, db):
    _, codes = await catalogued_title(copies=1)
    copy = await Copy.select(Copy.id).first()
    assert (await client.get(f"/verwaltung/exemplare/{copy['id']}/barcode.svg")).status_code == 303
