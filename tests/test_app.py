"""The Streamlit page's widget logic under AppTest (st_folium renders no map there)."""

import datetime
import re

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


def _open(at: AppTest) -> AppTest:
    """Open the map as a browser does: the first paint, then the whole page on the rerun the page asks for."""
    return _run(_run(at))


def _metric(at: AppTest, label: str) -> str:
    return [m.value for m in at.metric if m.label == label][0]


def _articles_view(at: AppTest) -> AppTest:
    at.query_params["view"] = "Articles and places"
    return at


def _button(at: AppTest, label: str):
    return [b for b in at.button if b.label == label][0]


def _add(at: AppTest, text: str, *, outlet: str = "Test Wire", published: str = "2022-09-09") -> AppTest:
    at.text_area(key="new_text").input(text)
    at.text_input(key="new_outlet").input(outlet)
    at.text_input(key="new_published").input(published)
    _button(at, "Add to the map").click()
    return _run(at)


def _timeline(at: AppTest):
    return [d.value for d in at.dataframe if "quote" in d.value.columns][0]


def _events_caption(at: AppTest) -> str:
    return [m.value for m in at.caption if "events from" in m.value][0]


def test_seed_article_is_shown_with_its_places_marked():
    at = _run(_articles_view(AppTest.from_file(APP, default_timeout=60)))
    markup = [m.value for m in at.markdown if "<mark" in m.value]
    assert markup and "Kharkiv" in markup[0]
    assert any("place mentions" in c.value for c in at.caption)


def test_choosing_another_article_changes_the_text():
    at = _run(_articles_view(AppTest.from_file(APP, default_timeout=60)))
    assert not any("Limán" in m.value for m in at.markdown if "<mark" in m.value)
    at.selectbox(key="article").set_value("004_6a4f189e7c262899")
    _run(at)
    assert any("Limán" in m.value for m in at.markdown if "<mark" in m.value)
    assert at.query_params["article"] == "004_6a4f189e7c262899"   # the URL follows the choice


def test_a_popup_link_opens_the_article_with_the_sentence_highlighted():
    at = _articles_view(AppTest.from_file(APP, default_timeout=60))
    at.query_params["article"] = "004_6a4f189e7c262899"
    at.query_params["quote"] = "The latest reports indicate fighting around the town of Limán"
    _run(at)
    markup = [m.value for m in at.markdown if "<mark" in m.value][0]
    assert '<span id="quote"' in markup and "Limán" in markup


def test_the_map_gets_every_layer_by_default_and_only_those_a_shared_link_names():
    at = _open(AppTest.from_file(APP, default_timeout=60))
    args = at.session_state["map_args"]
    assert len(args["groups"]) == 7 and args["center"] is None   # areas, front, arrows, settlements, recent
    shared = AppTest.from_file(APP, default_timeout=60)
    shared.query_params["layers"] = ["liberated", "settlements"]
    shared.query_params["center"] = "49.5,36.9"
    shared.query_params["zoom"] = "9"
    shared.query_params["date"] = "2022-09-06"
    _run(shared)
    args = shared.session_state["map_args"]
    assert args["groups"] == ["Liberated (reported and inferred)", "Settlements by status"]
    assert args["center"] == (49.5, 36.9) and args["zoom"] == 9
    assert str(shared.slider(key="date").value) == "2022-09-06"
    _run(shared)   # the whole page: the layer picker shows the link's layers, the map keeps them
    assert shared.multiselect(key="layers").value == ["liberated", "settlements"]
    assert shared.session_state["map_args"]["groups"] == args["groups"]


def test_the_first_paint_is_the_map_and_its_slider_and_the_rest_follows():
    at = _run(AppTest.from_file(APP, default_timeout=60))
    assert len(at.session_state["map_args"]["groups"]) == 7
    assert at.slider(key="date").value
    assert not at.dataframe and not at.button and not at.sidebar.text_area and not at.metric   # not yet
    _run(at)   # the rerun the page asks for a moment later
    assert _timeline(at).shape[0] > 0 and _button(at, "▶ Play") and at.sidebar.text_area(key="new_text")
    assert _metric(at, "Liberated shown").endswith("km²")
    assert at.slider(key="date").value and len(at.session_state["map_args"]["groups"]) == 7


def test_previous_next_and_play_step_through_the_event_dates():
    at = _open(AppTest.from_file(APP, default_timeout=60))
    last = at.slider(key="date").value
    at.button(key="prev").click()
    _run(at)
    earlier = at.slider(key="date").value
    assert earlier < last
    at.button(key="next").click()
    _run(at)
    assert at.slider(key="date").value == last
    at.button(key="play").click()       # at the last date, play starts from the first event
    _run(at)
    assert at.session_state["playing"] is True
    first = datetime.datetime.fromtimestamp(at.slider(key="date").min / 1e6, tz=datetime.timezone.utc).date()
    assert at.slider(key="date").value == first
    assert at.button(key="play").label == "⏸ Pause"
    at.button(key="play").click()
    _run(at)
    assert at.session_state["playing"] is False


def test_timeline_filters_list_only_the_chosen_events():
    at = _open(AppTest.from_file(APP, default_timeout=60))
    at.multiselect(key="f_types").set_value(["shelling"])
    _run(at)
    table = _timeline(at)
    assert len(table) >= 1 and set(table["event"]) == {"shelling"}
    at.radio(key="f_disputed").set_value("only")
    at.multiselect(key="f_types").set_value([])
    _run(at)
    assert len(_timeline(at)) >= 1 and all(_timeline(at)["disputed"])


def test_what_changed_since_reports_the_area_gained():
    at = _open(AppTest.from_file(APP, default_timeout=60))
    text = [c.value for c in at.caption if c.value.startswith("Since ")][0]
    gained = re.search(r"\+([\d,]+) km²\*\* liberated", text)
    assert gained and int(gained.group(1).replace(",", "")) > 0


def test_adding_an_article_puts_it_in_the_store_and_on_the_map():
    at = _open(AppTest.from_file(APP, default_timeout=60))
    before = _events_caption(at)
    _add(at, "Ukrainian forces liberated Zolochiv in the Kharkiv region on Friday, officials said. "
             "<script>alert(1)</script>")
    assert any(s.value.startswith("Added") for s in at.success), [e.value for e in at.error]
    assert _events_caption(at) != before
    lat, lon = at.session_state["map_args"]["center"]   # the map looks at the place the article reports
    assert abs(lat - 50.27) < 0.05 and abs(lon - 35.98) < 0.05 and at.session_state["map_args"]["zoom"] >= 10
    # the form is empty again, ready for the next article
    assert at.text_area(key="new_text").value == "" and at.text_input(key="new_outlet").value == ""
    at.query_params["view"] = "Articles and places"
    _run(at)
    markup = [m.value for m in at.markdown if "<mark" in m.value][0]
    assert "<script>" not in markup and "&lt;script&gt;" in markup and ">Zolochiv</mark>" in markup


@pytest.mark.parametrize("text, published, message", [
    ("   ", "2022-09-09", "empty"),
    ("Ukrainian forces liberated Zolochiv on Friday.", "2022-09-31", "not a date"),
])
def test_bad_articles_get_a_message_and_nothing_stored_is_lost(text, published, message):
    at = _open(AppTest.from_file(APP, default_timeout=60))
    before = _events_caption(at)
    _add(at, text, published=published)
    assert any(message in e.value for e in at.error)
    assert _events_caption(at) == before
    assert at.text_area(key="new_text").value == text   # the reader's text is kept, to be put right


def test_an_article_with_no_places_is_stored_with_a_warning():
    at = _open(AppTest.from_file(APP, default_timeout=60))
    before = _events_caption(at)
    _add(at, "The committee met on Tuesday to discuss the budget and adjourned without a vote.")
    assert any("nothing new on the map" in w.value for w in at.warning)
    assert _events_caption(at).split(" from ")[0] == before.split(" from ")[0]


def test_an_editor_password_makes_the_map_read_only_until_given(monkeypatch):
    monkeypatch.setenv("MAPAPP_EDITOR_PASSWORD", "s3cret")
    at = _open(AppTest.from_file(APP, default_timeout=60))
    assert not [b for b in at.button if b.label == "Add to the map"]
    at.text_input(key="editor_password").input("wrong")
    _run(at)
    assert not [b for b in at.button if b.label == "Add to the map"]
    at.text_input(key="editor_password").input("s3cret")
    _run(at)
    assert [b for b in at.button if b.label == "Add to the map"]


def test_a_correction_is_stored_and_can_be_undone():
    at = _open(AppTest.from_file(APP, default_timeout=60))
    count = lambda: int(_events_caption(at).split("—")[-1].split()[0])  # noqa: E731
    before = count()
    at.session_state["selected_event"] = at.session_state["timeline_rows"][0]["id"]
    _run(at)
    at.radio(key="c_action").set_value("reject")
    at.text_input(key="c_who").input("tester")
    at.text_input(key="c_why").input("not an event")
    _button(at, "Save correction").click()
    _run(at)
    assert count() == before - 1
    [b for b in at.button if b.label == "Undo"][0].click()
    _run(at)
    assert count() == before


def test_finding_a_place_by_any_spelling_centres_the_map_on_it():
    at = _open(AppTest.from_file(APP, default_timeout=60))
    at.text_input(key="place_query").input("Izyum")
    _run(at)
    assert at.button(key="goto_0").label.startswith("Izium")
    at.button(key="goto_0").click()
    _run(at)
    lat, lon = at.session_state["map_args"]["center"]
    assert abs(lat - 49.2) < 0.1 and abs(lon - 37.28) < 0.1
    at.text_input(key="place_query").input("Qwertyuiopville")
    _run(at)
    assert any("No place called" in c.value for c in at.caption)


def test_the_date_slider_changes_what_the_map_shows():
    at = _open(AppTest.from_file(APP, default_timeout=120))
    slider = at.slider(key="date")
    assert str(slider.min) <= "2022-04-01" and str(slider.value) == "2022-09-10"
    liberated_late = _metric(at, "Liberated shown")
    slider.set_value(__import__("datetime").date(2022, 5, 20))
    _run(at)
    assert _metric(at, "Liberated shown") != liberated_late
    assert any("No front line without a baseline" in c.value for c in at.caption)


@pytest.mark.parametrize("fmt, magic", [("png", b"\x89PNG"), ("csv", b"event_id"), ("kml", b"<?xml")])
def test_the_export_panel_prepares_a_download_of_the_map_shown(fmt, magic):
    at = _open(AppTest.from_file(APP, default_timeout=120))
    at.selectbox(key="x_format").set_value(fmt)
    at.text_input(key="x_title").input("Kharkiv <b>counteroffensive</b>")
    at.button(key="x_go").click()
    _run(at)
    name, data, kind = at.session_state["x_file"]
    assert name == f"frontline-2022-09-10.{fmt}" and kind == fmt
    assert data.lstrip(b"\xef\xbb\xbf").startswith(magic)


def test_the_export_follows_the_layers_and_view_on_screen():
    at = _open(AppTest.from_file(APP, default_timeout=120))
    at.multiselect(key="layers").set_value(["settlements"])
    at.session_state["view_bounds"] = (48.9, 36.8, 49.5, 37.7)   # as the map reports it after a pan
    at.selectbox(key="x_format").set_value("svg")
    at.button(key="x_go").click()
    _run(at)
    _name, data, _kind = at.session_state["x_file"]
    svg = data.decode()
    assert "Izium" in svg and "Kherson</text>" not in svg       # framed on the view
    assert "Liberated area" not in svg                         # only the settlements layer


def test_the_title_box_promises_the_title_an_export_gets_by_default():
    from datetime import date

    from mapapp.render.static_map import default_title

    at = _open(AppTest.from_file(APP, default_timeout=120))
    assert at.text_input(key="x_title").placeholder == "Default: " + default_title(date(2022, 9, 10))
