"""End to end: the real Streamlit app in real headless Chromium (Debian's), with no network beyond localhost."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from conftest import ROOT

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SHOTS = ROOT / "tests" / "screenshots"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    port = _free_port()
    env = dict(os.environ, MAPAPP_DB=str(tmp_path_factory.mktemp("db") / "mapapp.sqlite"))
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"),
                             "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("the app did not start within 60 s")
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def page(app_url):
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        # No network: anything not served by the app itself is refused, as in a classroom offline.
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(app_url)
                      else route.abort())
        page = context.new_page()
        page.goto(app_url)
        yield page
        browser.close()


def _map_frame(page, index: int):
    return page.frame_locator("iframe[title*='st_folium']").nth(index)


def test_date_map_draws_its_layers_offline(page):
    page.get_by_text("Map at a date").first.wait_for(timeout=60_000)
    frame = _map_frame(page, 0)
    frame.locator(".leaflet-container").wait_for(timeout=60_000)
    frame.locator("path.leaflet-interactive").first.wait_for(timeout=30_000)
    assert frame.locator("path.leaflet-interactive").count() >= 5   # areas and one marker per place
    assert "Liberated" in frame.locator(".leaflet-control-layers").inner_html()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "map_at_date_offline.png"))


def test_clicking_a_place_opens_its_report(page):
    frame = _map_frame(page, 0)
    frame.locator("path.leaflet-interactive").first.wait_for(timeout=60_000)
    markers = frame.locator("path.leaflet-interactive")
    for i in range(markers.count() - 1, -1, -1):   # markers are drawn after the areas
        markers.nth(i).dispatch_event("click")
        popup = frame.locator(".leaflet-popup-content")
        if popup.count() and "“" in popup.first.inner_text():
            break
    assert "“" in popup.first.inner_text()   # the quoted sentence


def test_article_tab_shows_places_marked(page):
    page.get_by_role("tab", name="Articles and places").click()
    page.locator("mark").first.wait_for(timeout=60_000)
    frame = _map_frame(page, 1)
    frame.locator("path.leaflet-interactive").first.wait_for(timeout=30_000)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "places_offline.png"))
