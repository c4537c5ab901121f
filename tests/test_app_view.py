"""The map page's decisions without Streamlit: stepping through time, filters, shared links, who may edit."""

from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest

from mapapp.app_view import (article_link, change_of, changes_between, editing_allowed, event_dates, filter_events,
                             parse_center, parse_zoom, play_from, recent_events, share_url, sources_up_to, step,
                             timeline_rows)
from mapapp.areas import areas_at
from mapapp.events import Event, Source
from mapapp.gazetteer import load_gazetteer
from mapapp.render.date_map import _arrow_head, date_layers, recent_layer
from mapapp.render.folium_layers import display_name
from mapapp.timeline import state_at


@pytest.fixture(scope="module")
def gaz():
    return load_gazetteer()


def _event(gaz, name, kind, when, *, outlet="Wire", disputed=False, quote=None):
    place = gaz.candidates(name)[0][0]
    source = Source(article=f"a-{name}", outlet=outlet, published=when, url="",
                    quote=quote or f"Forces {kind} {name}.")
    return Event(event_id=f"{name}-{kind}-{when}", place=place, event_type=kind, date=when, date_precision="day",
                 actor="", claimed_by=None, disputed=disputed, counter_claim=None, sources=(source,), confidence=0.8)


@pytest.fixture(scope="module")
def events(gaz):
    return [_event(gaz, "Balakliia", "liberated", date(2022, 9, 8), outlet="Kyiv Independent"),
            _event(gaz, "Izium", "liberated", date(2022, 9, 10), outlet="Reuters"),
            _event(gaz, "Kupiansk", "contested", date(2022, 9, 10), outlet="Reuters", disputed=True),
            _event(gaz, "Bakhmut", "shelling", date(2022, 8, 1), outlet="AP")]


def test_steps_go_to_the_neighbouring_event_date_and_stop_at_the_ends(events):
    dates = event_dates(events)
    assert dates == [date(2022, 8, 1), date(2022, 9, 8), date(2022, 9, 10)]
    assert step(dates, date(2022, 9, 9), -1) == date(2022, 9, 8)
    assert step(dates, date(2022, 9, 9), +1) == date(2022, 9, 10)
    assert step(dates, date(2022, 9, 10), +1) is None and step(dates, date(2022, 8, 1), -1) is None
    assert play_from(dates, date(2022, 9, 10)) == date(2022, 8, 1)   # at the end, play starts over
    assert play_from(dates, date(2022, 9, 8)) == date(2022, 9, 8)
    assert play_from([], date(2022, 9, 8)) is None


def test_filters_by_type_outlet_and_disputed(events):
    assert {e.place.name for e in filter_events(events, types=("liberated",))} == {"Balakliia", "Izium"}
    assert {e.place.name for e in filter_events(events, outlets=("Reuters",))} == {"Izium", "Kupiansk"}
    assert [e.place.name for e in filter_events(events, disputed="only")] == ["Kupiansk"]
    assert "Kupiansk" not in {e.place.name for e in filter_events(events, disputed="hide")}
    assert filter_events(events) == events


def test_timeline_rows_are_in_date_order_with_their_quote(events):
    rows = timeline_rows(events)
    assert [r["date"] for r in rows] == sorted(r["date"] for r in rows)
    assert rows[0]["place"] == "Bakhmut" and rows[0]["quote"] == "Forces shelling Bakhmut."


def test_sources_up_to_a_date_leave_out_later_articles(events):
    assert [r["outlet"] for r in sources_up_to(events, date(2022, 9, 8))] == ["AP", "Kyiv Independent"]
    assert len(sources_up_to(events, date(2022, 9, 10))) == 4


def test_recent_events_are_those_of_the_last_days(events):
    assert {e.place.name for e in recent_events(events, date(2022, 9, 10))} == {"Balakliia", "Izium", "Kupiansk"}
    assert recent_events(events, date(2022, 7, 1)) == []


def test_what_changed_between_two_dates_counts_the_liberated_area(events):
    change = changes_between(events, date(2022, 9, 10), date(2022, 9, 1))   # either order
    assert change.start == date(2022, 9, 1) and change.end == date(2022, 9, 10)
    assert change.gained_km2 > 10 and change.lost_km2 == 0 and change.new_events == 3
    same = change_of(areas_at(events, date(2022, 9, 10)), areas_at(events, date(2022, 9, 10)), events)
    assert same.gained_km2 == 0 and same.new_events == 0


@pytest.mark.parametrize("raw, expected", [("49.5,36.9", (49.5, 36.9)), ("49.5, 36.9", (49.5, 36.9)),
                                           ("95,10", None), ("abc", None), ("", None), (None, None), ("1,2,3", None)])
def test_centre_from_a_link_is_checked(raw, expected):
    assert parse_center(raw) == expected


@pytest.mark.parametrize("raw, expected", [("9", 9), ("0", None), ("40", None), ("x", None), (None, None), (7, 7)])
def test_zoom_from_a_link_is_checked(raw, expected):
    assert parse_zoom(raw) == expected


def test_a_share_link_names_every_part_of_the_view():
    url = share_url("http://host:8501/?date=2022-01-01&junk=1", when=date(2022, 9, 6),
                    layers=["liberated", "settlements"], center=(49.5, 36.9), zoom=9)
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert parts.netloc == "host:8501" and query["date"] == ["2022-09-06"] and "junk" not in query
    assert query["layers"] == ["liberated", "settlements"] and query["center"] == ["49.5000,36.9000"]
    assert query["zoom"] == ["9"]


def test_an_article_link_carries_the_article_and_its_quote():
    url = article_link("http://host:8501/", "004_abc", "Forces liberated <Izium> & more.")
    query = parse_qs(urlsplit(url).query)
    assert query == {"view": ["Articles and places"], "article": ["004_abc"],
                     "quote": ["Forces liberated <Izium> & more."]}


def test_editing_needs_the_password_only_when_one_is_configured():
    assert editing_allowed("", None) and editing_allowed(None, "anything")
    assert not editing_allowed("s3cret", None) and not editing_allowed("s3cret", "S3CRET")
    assert editing_allowed("s3cret", "s3cret")


def test_place_names_in_ukrainian_or_both(gaz):
    izium = gaz.candidates("Izium")[0][0]
    assert display_name(izium, "en") == "Izium"
    assert display_name(izium, "uk") == "Ізюм"
    assert display_name(izium, "both") == "Izium (Ізюм)"


def test_arrow_heads_point_the_way_the_advance_went():
    head = _arrow_head([[36.0, 49.0], [37.0, 49.0]])   # eastward, (lon, lat)
    tip, *back = head
    assert tip == (49.0, 37.0)
    assert all(lon < 37.0 for _lat, lon in back) and back[0][0] != back[1][0]   # behind the tip, either side
    assert _arrow_head([[36.0, 49.0]]) is None and _arrow_head([[36.0, 49.0], [36.0, 49.0]]) is None


def test_layers_for_a_date_follow_the_choice_and_escape_article_text(gaz, events):
    nasty = events + [_event(gaz, "Kupiansk", "liberated", date(2022, 9, 9),
                             quote="Forces liberated Kupiansk <script>alert(1)</script> <img src=x onerror=alert(2)>")]
    when = date(2022, 9, 10)
    areas, states = areas_at(nasty, when), state_at(nasty, when)
    groups = date_layers(areas, states, nasty, when, layers=["liberated", "recent"], link=lambda a, q: f"?a={a}")
    assert [g.layer_name for g in groups] == ["Liberated (reported and inferred)", "Reports of the last 7 days"]
    rendered = recent_layer(nasty, when, link=lambda a, q: f"?a={a}&q={q}")
    import folium

    fmap = folium.Map()
    rendered.add_to(fmap)
    page = fmap.get_root().render()
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)" in page    # escaped HTML inside script-safe JSON


def test_the_area_cache_gives_the_same_areas_as_computing_them_and_shares_quiet_days(events):
    from mapapp.app_view import AreaCache

    cache = AreaCache(events)
    for when in (date(2022, 7, 1), date(2022, 8, 15), date(2022, 9, 9), date(2022, 9, 10), date(2022, 12, 1)):
        cached, fresh = cache.get(when), areas_at(events, when)
        assert [(p["status"], p["basis"], round(p["geometry"].area)) for p in cached.polygons] == \
            [(p["status"], p["basis"], round(p["geometry"].area)) for p in fresh.polygons]
    assert cache.get(date(2022, 8, 20)) is cache.get(date(2022, 9, 7))   # no report starts in between
    assert cache.get(date(2022, 9, 8)) is not cache.get(date(2022, 9, 7))
    warm = AreaCache(events)
    warm.warm(date(2022, 9, 10)).join(timeout=60)
    assert all(d in warm for d in warm.starts)


def test_the_area_warm_up_waits_while_a_view_is_drawn_and_never_computes_a_date_twice(events, monkeypatch):
    import threading
    import time

    from mapapp import app_view
    from mapapp.app_view import AreaCache

    calls = []

    def slow_areas_at(evts, when, baseline=None):
        calls.append(when)
        time.sleep(0.2)
        return areas_at(evts, when, baseline=baseline)

    monkeypatch.setattr(app_view, "areas_at", slow_areas_at)
    cache = AreaCache(events)
    with cache.reading():                    # a reader is drawing: the warm-up computes nothing meanwhile
        warming = cache.warm(cache.starts[-1])
        time.sleep(0.5)
        assert calls == []
    warming.join(timeout=60)
    assert all(d in cache for d in cache.starts) and sorted(calls) == sorted(set(calls))

    calls.clear()
    fresh = AreaCache(events)
    when = fresh.starts[-1]
    other = threading.Thread(target=fresh.get, args=(when,))
    other.start()
    time.sleep(0.05)
    mine = fresh.get(when)                   # asked while the other thread computes it: waits for that one
    other.join()
    assert calls == [when] and mine is fresh.get(when)


def test_markers_from_the_memo_are_the_markers_drawn_afresh(events):
    from mapapp.render.folium_layers import CircleMarkers, events_layer

    def markers(layer):
        return next(c for c in layer._children.values() if isinstance(c, CircleMarkers))

    memo = {}
    link = lambda article, quote: f"?article={article}"   # noqa: E731
    for when in (date(2022, 9, 8), date(2022, 9, 10), date(2022, 9, 8), date(2022, 9, 10)):
        states = state_at(events, when)
        fresh = markers(events_layer(states, when=when, link=link))
        remembered = markers(events_layer(states, when=when, link=link, memo=memo))
        assert remembered.data_json == fresh.data_json and remembered.styles_json == fresh.styles_json
    assert len(memo) == 4   # Bakhmut, Balakliia, Izium, Kupiansk: dates seen again add nothing


def test_the_view_of_an_articles_places_frames_them():
    from mapapp.app_view import view_of
    from mapapp.gazetteer import load_gazetteer

    gaz = load_gazetteer()
    kherson, snihurivka, moscow = (gaz.lookup(name)[0] for name in ("kherson", "snihurivka", "moscow"))
    import math

    def pixels_from_centre(place, centre, zoom):   # Web Mercator, as Leaflet draws it
        scale = 256 * 2 ** zoom / 360
        mercator = lambda lat: math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))  # noqa: E731
        return (abs(place.lon - centre[1]) * scale, abs(mercator(place.lat) - mercator(centre[0])) * scale)

    centre, zoom = view_of([kherson, snihurivka, moscow])   # Moscow is no place in the theater to frame
    for place in (kherson, snihurivka):   # on a map 700 × 620 px, with room around for their names
        dx, dy = pixels_from_centre(place, centre, zoom)
        assert dx < 350 - 60 and dy < 310 - 40, (place.name, dx, dy, zoom)
    assert zoom >= 8                      # ~50 km apart: not the whole country
    assert view_of([kherson])[1] == 11 and view_of([moscow]) is None and view_of([]) is None


def test_a_shared_links_date_is_read_as_iso_or_as_the_microseconds_older_links_hold():
    from mapapp.app_view import date_from_query

    assert date_from_query("2022-09-10") == date(2022, 9, 10)
    assert date_from_query("1652659200000000") == date(2022, 5, 16)
    assert date_from_query("yesterday") is None and date_from_query("") is None and date_from_query(None) is None
