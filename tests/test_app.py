"""The Streamlit page's widget logic under AppTest (st_folium renders no map there)."""

import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT

APP = str(ROOT / "streamlit_app.py")


@pytest.fixture(autouse=True)
def _own_store(tmp_db):
    """Each test gets a fresh store (the app loads the seeds into it), never the repository's."""
    return tmp_db


def _run(at: AppTest) -> AppTest:
    at.run(timeout=60)
    assert not at.exception, at.exception
    return at


def test_seed_article_is_shown_with_its_places_marked():
    at = _run(AppTest.from_file(APP, default_timeout=60))
    markup = [m.value for m in at.markdown if "<mark" in m.value]
    assert markup and "Kharkiv" in markup[0]
    assert any("place mentions" in c.value for c in at.caption)


def test_choosing_another_seed_changes_the_article():
    at = _run(AppTest.from_file(APP, default_timeout=60))
    choice = [o for o in at.selectbox(key="seed").options if o.startswith("004")][0]
    at.selectbox(key="seed").set_value(choice)
    _run(at)
    assert any("Limán" in m.value for m in at.markdown if "<mark" in m.value)


def test_pasted_html_and_scripts_are_escaped_and_empty_paste_is_harmless():
    at = _run(AppTest.from_file(APP, default_timeout=60))
    at.radio(key="source").set_value("Paste or upload")
    _run(at)
    assert any("Choose a seed article" in i.value for i in at.info)
    at.text_area(key="pasted").set_value("Shelling hit Bakhmut <script>alert(1)</script> overnight.")
    _run(at)
    markup = [m.value for m in at.markdown if "<mark" in m.value][0]
    assert "<script>" not in markup and "&lt;script&gt;" in markup and ">Bakhmut</mark>" in markup


def test_the_date_slider_changes_what_the_map_shows():
    at = _run(AppTest.from_file(APP, default_timeout=120))
    slider = at.slider(key="date")
    assert str(slider.min) <= "2022-04-01" and str(slider.value) == "2022-09-10"
    liberated_late = [m.value for m in at.metric if m.label == "Liberated shown"][0]
    slider.set_value(__import__("datetime").date(2022, 5, 20))
    _run(at)
    liberated_may = [m.value for m in at.metric if m.label == "Liberated shown"][0]
    assert liberated_may != liberated_late
    assert any("No front line without a baseline" in c.value for c in at.caption)
