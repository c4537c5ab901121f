"""End to end: the real Streamlit app in real headless Chromium (Debian's), with no network beyond localhost."""

import html
import os
import re
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
def browser_context(app_url):
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        # No network: anything not served by the app itself is refused, as in a classroom offline.
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(app_url)
                      else route.abort())
        yield context
        browser.close()


@pytest.fixture(scope="module")
def page(app_url, browser_context):
    page = browser_context.new_page()
    page.goto(app_url)
    yield page


def _map_frame(page, index: int):
    return page.frame_locator("iframe[title*='st_folium']").nth(index)


# What the reader's map holds, read from Leaflet itself: zoom, centre, every tooltip, every popup.
_MAP_STATE = """() => {
  const maps = [];
  for (const k of Object.keys(window)) { try { if (window[k] instanceof L.Map) maps.push(window[k]); } catch (e) {} }
  if (!maps.length) return null;
  const m = maps[0], tips = [], popups = [];
  m.eachLayer(l => {
    if (l.getTooltip && l.getTooltip()) tips.push(String(l.getTooltip().getContent()));
    if (l.getPopup && l.getPopup()) { let c = l.getPopup().getContent();
      if (typeof c === "function") c = c(l);   // built when the popup opens
      popups.push(typeof c === "string" ? c : (c.innerHTML || c.outerHTML || "")); }
  });
  return {zoom: m.getZoom(), lat: m.getCenter().lat, lng: m.getCenter().lng, tips: tips, popups: popups};
}"""


def _date_map_state(page, timeout: float = 60) -> dict:
    _map_frame(page, 0).locator("path.leaflet-interactive").first.wait_for(timeout=timeout * 1000)
    deadline = time.time() + timeout
    while time.time() < deadline:
        for frame in page.frames:
            if "streamlit_folium" in frame.url:
                state = frame.evaluate(_MAP_STATE)
                if state and state["tips"]:
                    return state
        time.sleep(0.5)
    pytest.fail("the date map never drew its layers")


def _date_slider(page):
    """The date slider under the map (the "What changed since" slider beside the map is another one)."""
    return page.locator("[data-testid='stSlider']").filter(has_text="Date").get_by_role("slider")


def _liberated_metric(page) -> str:
    metric = page.locator("[data-testid='stMetric']").filter(has_text="Liberated shown")
    return metric.locator("[data-testid='stMetricValue']").inner_text()


def _wait_for(predicate, timeout: float = 30, what: str = "the page to change"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    pytest.fail(f"timed out waiting for {what}")


def test_date_map_draws_its_layers_offline(page, app_url):
    page.get_by_text("Map at a date").first.wait_for(timeout=120_000)   # the first run loads the seeds
    frame = _map_frame(page, 0)
    frame.locator(".leaflet-container").wait_for(timeout=60_000)
    state = _date_map_state(page)
    assert frame.locator("path.leaflet-interactive").count() >= 5   # areas and one marker per place
    overlays = frame.locator(".leaflet-control-layers-overlays").inner_html()
    assert "Liberated" in overlays and "Settlements by status" in overlays
    assert any("liberated (reported)" in tip for tip in state["tips"])
    assert "Legend" in frame.locator(".mapapp-legend").inner_text()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "map_at_date_offline.png"))
    # A report about the Kharkiv region as a whole is its name on the map, not a point; clicking it quotes it.
    # (Zoomed out, the name would cover the towns' points and waits for the reader to zoom in.)
    page.goto(f"{app_url}/?date=2022-09-10&center=49.45,37.3&zoom=9")
    _date_map_state(page)
    region = frame.locator(".mapapp-area").filter(has_text="Kharkiv Oblast").first
    region.click()
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for(timeout=10_000)
    assert "Kharkiv Oblast" in popup.inner_text() and "as a whole" in popup.inner_text()
    page.goto(app_url)


def test_moving_the_slider_changes_the_liberated_area(page):
    _date_map_state(page)
    page.get_by_role("button", name="▶ Play").wait_for(timeout=60_000)   # the whole page is drawn, not its first paint
    before = _liberated_metric(page)
    thumb = _date_slider(page)
    thumb.focus()
    thumb.press("Home")      # keyboard: the first date of the corpus
    after = _wait_for(lambda: _liberated_metric(page) != before and _liberated_metric(page), what="the metric")
    assert after != before
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "map_first_date.png"))
    thumb.press("End")
    _wait_for(lambda: _liberated_metric(page) == before, what="the metric to come back")


def test_izyum_popup_quotes_its_report_and_links_to_the_highlighted_sentence(page, browser_context):
    state = _date_map_state(page)
    izium = [p for p in state["popups"] if p.startswith("<b>Izium</b>") and "“" in p]
    assert izium, "no popup for Izium"
    assert "liberated" in izium[0]
    link = re.search(r'href="([^"]+)"', izium[0]).group(1).replace("&amp;", "&")
    quote = re.search(r"“(.+?)”", izium[0]).group(1)
    article = browser_context.new_page()
    article.goto(link)
    highlighted = article.locator("#quote")
    highlighted.wait_for(timeout=60_000)
    assert html.unescape(quote)[:40] in highlighted.inner_text()
    SHOTS.mkdir(exist_ok=True)
    article.screenshot(path=str(SHOTS / "article_with_quote.png"))
    article.close()


def test_a_shared_link_reopens_the_same_date_layers_and_view(page, app_url):
    shared = f"{app_url}/?date=2022-09-06&layers=liberated&layers=settlements&center=49.5,36.9&zoom=9"
    for _ in range(2):   # open it, then reload it
        page.goto(shared)
        state = _date_map_state(page)
        overlays = _map_frame(page, 0).locator(".leaflet-control-layers-overlays label")
        assert sorted(overlays.all_inner_texts()) == sorted([" Liberated (reported and inferred)",
                                                             " Settlements by status"])
        assert _date_slider(page).get_attribute("aria-valuetext") == "2022-09-06"
        assert state["zoom"] == 9 and abs(state["lat"] - 49.5) < 0.05 and abs(state["lng"] - 36.9) < 0.05
        assert not any("contested (reported)" in tip for tip in state["tips"])
    page.goto(app_url)


def test_a_popup_over_the_legend_stays_readable_and_its_link_clickable(page, app_url):
    """Izium near the legend's corner: its popup folds the legend away, so "read the article" can be clicked;
    closing the popup brings the legend back. Place names on the map never sit on one another."""
    page.goto(f"{app_url}/?date=2022-09-10&center=49.45,37.3&zoom=9")
    _date_map_state(page)
    frame = _map_frame(page, 0)
    # Move the map so that Izium sits low, just right of the legend: its popup, rising from it, crosses the legend.
    for f in page.frames:
        if "streamlit_folium" in f.url:
            f.evaluate("""() => {
              let m = null;
              for (const k of Object.keys(window)) { try { if (window[k] instanceof L.Map) m = window[k]; } catch (e) {} }
              let izium = null;
              m.eachLayer(l => { if (l.getTooltip && l.getTooltip() && l.getTooltip().getContent() === "Izium") izium = l; });
              const legend = document.querySelector("details.mapapp-legend").getBoundingClientRect();
              const p = m.latLngToContainerPoint(izium.getLatLng()), size = m.getSize();
              m.panBy([p.x - (legend.right + 40), p.y - (size.y - 45)], {animate: false});
            }""")
    page.wait_for_timeout(500)
    # the scale bar's labels fit inside their bars ("10 km" was cut by its own bar's end)
    assert frame.locator(".leaflet-control-scale-line").evaluate_all(
        "(els) => els.length > 0 && els.every(e => e.scrollWidth <= e.clientWidth + 1)")
    label = frame.locator(".leaflet-tooltip.mapapp-label", has_text="Izium")
    box = label.bounding_box()
    page.mouse.click(box["x"] - 9, box["y"] + box["height"] / 2)   # the point left of its name
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for(timeout=10_000)
    assert "Izium" in popup.inner_text()
    legend = frame.locator("details.mapapp-legend")
    link = popup.get_by_text("read the article")
    on_top = link.evaluate("""(a) => { const b = a.getBoundingClientRect();
        return document.elementFromPoint(b.left + b.width / 2, b.top + b.height / 2) === a; }""")
    assert on_top, "the legend covers the popup's link"
    frame.locator(".leaflet-popup-close-button").click()
    _wait_for(lambda: legend.evaluate("(d) => d.open"), what="the legend to unfold again")
    shown = frame.locator(".leaflet-tooltip.mapapp-label").evaluate_all("""(els) => els
        .filter(e => getComputedStyle(e).visibility !== 'hidden')
        .map(e => { const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; })""")
    for i, (l1, t1, r1, b1) in enumerate(shown):
        for l2, t2, r2, b2 in shown[i + 1:]:
            assert not (l1 < r2 and l2 < r1 and t1 < b2 and t2 < b1), "two place names overlap"
    # zoomed out, a region's framed name that would cover a settlement's point is hidden
    page.goto(f"{app_url}/?date=2022-09-10&center=48.8,33.5&zoom=6")
    _date_map_state(page)
    page.wait_for_timeout(800)
    for f in page.frames:
        if "streamlit_folium" in f.url:
            covered = f.evaluate("""() => {
              let m = null;
              for (const k of Object.keys(window)) { try { if (window[k] instanceof L.Map) m = window[k]; } catch (e) {} }
              const o = m.getContainer().getBoundingClientRect(), dots = [];
              m.eachLayer(l => { if (l instanceof L.CircleMarker) { const p = m.latLngToContainerPoint(l.getLatLng());
                dots.push([o.left + p.x, o.top + p.y, l.getRadius()]); } });
              return Array.from(document.querySelectorAll('.mapapp-area')).filter(
                  e => getComputedStyle(e).visibility !== 'hidden').map(e => e.firstElementChild.getBoundingClientRect())
                .filter(b => dots.some(([x, y, r]) => x + r > b.left && x - r < b.right && y + r > b.top && y - r < b.bottom))
                .length; }""")
            assert covered == 0, "a region's name covers a settlement's point"
    page.goto(app_url)


def test_choosing_an_event_in_the_timeline_sets_the_date_and_centres_the_map(page):
    _date_map_state(page)
    thumb = _date_slider(page)
    before = thumb.get_attribute("aria-valuetext")
    grid = page.locator("[data-testid='stDataFrame']").filter(has=page.locator("canvas")).last
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    grid.click(position={"x": 18, "y": 35 + 35 + 17})   # the selection box of the second row (header ≈ 35 px)
    chosen = _wait_for(lambda: thumb.get_attribute("aria-valuetext") != before and thumb.get_attribute(
        "aria-valuetext"), what="the slider to move to the event's date")
    assert chosen < before and box["height"] > 100
    state = _wait_for(lambda: (s := _date_map_state(page))["zoom"] == 10 and s, what="the map to zoom to the place")
    ring = [tip for tip in state["tips"] if tip.startswith("Chosen: ")]   # the chosen event is ringed on the map
    assert len(ring) == 1 and chosen in ring[0], state["tips"]
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "timeline_choice.png"))
    assert state["zoom"] == 10
    # the address bar holds the chosen view, the date as ISO (a shared link opens it again)
    query = _wait_for(lambda: f"date={chosen}" in page.url and "zoom=10" in page.url and page.url,
                      what="the address bar to hold the chosen date and view")
    assert re.search(r"center=-?\d+\.\d{4}(,|%2C)-?\d+\.\d{4}", query)
    page.goto(page.url.split("?")[0])


def _events_caption(page) -> str:
    return page.get_by_text(re.compile(r"events from \d+ articles")).first.inner_text()


def test_bad_uploads_get_a_message_next_to_the_widget_and_lose_nothing(page):
    _date_map_state(page)
    before = _events_caption(page)
    upload = page.locator("[data-testid='stSidebar'] input[type='file']")
    cases = [("photo.txt", bytes(range(256)) * 64, "binary"),
             ("huge.txt", b"Shelling hit Izium. " * 1_000_000, "MB is more than")]
    for name, data, message in cases:
        upload.set_input_files(files=[{"name": name, "mimeType": "text/plain", "buffer": data}])
        page.get_by_text(name).first.wait_for(timeout=60_000)
        page.get_by_role("button", name="Add to the map").click()
        page.locator("[data-testid='stSidebar'] [data-testid='stAlert']").filter(has_text=message).wait_for(
            timeout=60_000)
    page.get_by_text("Baseline control map (optional)").click()
    baseline = page.locator("[data-testid='stMain'] input[type='file']").first
    baseline.set_input_files(files=[{"name": "control.geojson", "mimeType": "application/json",
                                     "buffer": b'{"type": "FeatureCollection", "features": [ {oops'}])
    page.locator("[data-testid='stAlert']").filter(has_text="control.geojson").wait_for(timeout=60_000)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "bad_input_messages.png"))
    assert _events_caption(page) == before   # nothing stored was lost, nothing bad was added
    assert _date_map_state(page)["tips"]      # and the map still draws
    page.goto(page.url.split("?")[0])


def test_play_steps_the_date_forward_until_paused(page):
    _date_map_state(page)
    thumb = _date_slider(page)
    thumb.focus()
    thumb.press("Home")
    start = _wait_for(lambda: thumb.get_attribute("aria-valuetext"), what="the slider")
    page.get_by_role("button", name="▶ Play").click()
    seen = {start}
    deadline = time.time() + 60
    while len(seen) < 3 and time.time() < deadline:
        seen.add(thumb.get_attribute("aria-valuetext"))
        time.sleep(0.3)
    assert len(seen) >= 3, f"play showed only {seen}"
    assert sorted(seen)[0] == start           # forward only
    page.get_by_role("button", name="⏸ Pause").click()
    time.sleep(1)
    paused = thumb.get_attribute("aria-valuetext")
    time.sleep(3)
    assert thumb.get_attribute("aria-valuetext") == paused
    thumb.press("End")


def test_a_pasted_article_puts_its_place_on_the_map(page):
    _date_map_state(page)
    page.get_by_label("Article text").fill(
        "Ukrainian troops liberated the village of Zolochiv in the Kharkiv region on Friday, the governor said. "
        "Residents came out to greet the soldiers.")
    page.get_by_label("Outlet", exact=True).fill("Browser Test Wire")
    page.get_by_label("Published (YYYY-MM-DD)").fill("2022-09-10")
    page.get_by_role("button", name="Add to the map").click()
    page.get_by_text(re.compile(r"^Added “")).wait_for(timeout=60_000)
    state = _wait_for(lambda: any("Zolochiv" in t for t in _date_map_state(page)["tips"]) and _date_map_state(page),
                      timeout=60, what="Zolochiv on the map")
    assert any(p.startswith("<b>Zolochiv</b> — liberated") and "Browser Test Wire" in p for p in state["popups"])
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "pasted_article.png"))


def test_article_tab_shows_places_marked(page):
    page.get_by_role("tab", name="Articles and places").click()
    page.locator("mark").first.wait_for(timeout=60_000)
    frame = page.frame_locator("iframe[title*='st_folium']").last   # the map tab's map is not drawn meanwhile
    frame.locator("path.leaflet-interactive").first.wait_for(timeout=30_000)
    assert "Zolochiv" in page.locator(".article-text").inner_text()   # the article just added is the one shown
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "places_offline.png"))
