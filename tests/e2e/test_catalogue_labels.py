"""Staff catalogue a title by ISBN with copies and print its labels; a real barcode reader
(zbar) reads the printed codes back."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.e2e.live import login, start_server


@pytest.fixture(scope="module")
def quick_isbn_server(tmp_path_factory):
    # A short lookup timeout: on a machine without internet the lookup gives up quickly.
    tmp = tmp_path_factory.mktemp("live-catalogue")
    proc, server = start_server(tmp, {"MEDIATHEK_ISBN_TIMEOUT": "2"})
    yield server
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
async def staff_page(browser, quick_isbn_server):
    context = await browser.new_context(
        base_url=quick_isbn_server.url, locale="de-DE", device_scale_factor=2
    )
    pg = await context.new_page()
    await login(pg, "theke@mediathek.example")
    yield pg
    await context.close()


def decode(png_path) -> set[str]:
    out = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(png_path)], capture_output=True, text=True, check=False
    )
    return {line.strip() for line in out.stdout.splitlines() if line.strip()}


async def test_staff_adds_a_title_by_isbn_with_copies_and_prints_readable_labels(
    staff_page, tmp_path
):
    page = staff_page
    await page.goto("/verwaltung/titel/neu")
    await page.get_by_label("ISBN scannen oder eintippen").fill("978-3-19-101080-5")
    await page.get_by_role("button", name="Nachschlagen").click()
    # Found online or not: either way the form is there, with the ISBN taken over.
    await page.locator("#new-title-body .alert").wait_for(timeout=20_000)
    assert await page.get_by_label("ISBN", exact=True).input_value() == "9783191010805"
    title = page.locator("#f-title")
    if not await title.input_value():
        await title.fill("Schritte plus Neu 1")
    await page.locator("#f-media_type").select_option("textbook")
    await page.get_by_label("Deutsch", exact=True).check()
    await page.get_by_label("Anzahl Exemplare").fill("3")
    await page.get_by_label("Signatur / Standort").fill("DAZ 1 SCH")
    await page.get_by_role("button", name="Titel speichern").click()
    await page.get_by_text("Der Titel ist gespeichert.").wait_for()
    codes = await page.locator("#copies-section tbody tr td:first-child a").all_inner_texts()
    assert len(codes) == 3

    await page.get_by_role("link", name="Etiketten drucken").click()
    await page.get_by_label("Beginnen bei Etikett Nr.").fill("2")
    await page.get_by_role("button", name="Vorschau aktualisieren").click()
    await page.locator(".label-code").first.wait_for()
    labels = page.locator(".sheet .label")
    assert await labels.count() == 24
    assert await labels.nth(0).locator(".label-code").count() == 0  # place 1 stays free
    assert await labels.nth(1).locator(".label-title").inner_text() != ""
    shot = tmp_path / "sheet.png"
    await page.locator(".sheet").first.screenshot(path=str(shot))
    assert decode(shot) == set(codes)

    # The print view hides everything but the sheet.
    await page.emulate_media(media="print")
    assert not await page.locator(".site-header").is_visible()
    assert await page.locator(".sheet").first.is_visible()
