"""The desk's camera scanning: Chromium gets a fake camera that films a printed card label."""

from pathlib import Path

import barcode
import pytest

from tests.e2e.live import CHROMIUM, CHROMIUM_ARGS, login
from tests.e2e.test_desk_scanner import demo_codes

WIDTH, HEIGHT, MODULE = 640, 480, 4


def label_video(code: str, path: Path, frames: int = 20) -> None:
    """A Y4M video (grey frames) showing the Code128 label of ``code``, as a camera would."""
    modules = barcode.get("code128", code).build()[0]
    left = (WIDTH - len(modules) * MODULE) // 2
    row = bytearray([235] * WIDTH)
    for i, bit in enumerate(modules):
        if bit == "1":
            row[left + i * MODULE : left + (i + 1) * MODULE] = bytes([20] * MODULE)
    blank = bytes([235] * WIDTH)
    luma = b"".join(bytes(row) if 120 <= y < 360 else blank for y in range(HEIGHT))
    chroma = bytes([128] * (WIDTH // 2 * HEIGHT // 2 * 2))
    with path.open("wb") as f:
        f.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            f.write(b"FRAME\n" + luma + chroma)


@pytest.fixture
async def camera_page(live_server, tmp_path):
    from playwright.async_api import async_playwright

    card = (await demo_codes(live_server.database_url))["card"]
    video = tmp_path / "label.y4m"
    label_video(card, video)
    args = [
        *CHROMIUM_ARGS,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        context = await browser.new_context(base_url=live_server.url, locale="de-DE")
        await context.grant_permissions(["camera"])
        yield await context.new_page(), card
        await browser.close()


async def test_camera_reads_a_card_label_and_opens_the_patron(camera_page):
    page, card = camera_page
    await login(page, "theke@mediathek.example")
    await page.goto("/theke")
    await page.get_by_role("button", name="Mit der Kamera scannen").click()
    await page.locator(".desk-lend").wait_for(timeout=20_000)
    assert card in page.url
    assert "Ausleihe" in await page.locator("#desk-mode").inner_text()
