"""The front-line map: the state at a date from quoted reports, a timeline, articles with their places marked.

Widgets and layout only; every computation lives in ``mapapp`` (``mapapp.app_view`` for the page's decisions) and
is tested without Streamlit.
"""

from __future__ import annotations

import hashlib
import html
import time
from datetime import date

import folium
import streamlit as st
from streamlit_folium import st_folium

from mapapp import settings
from mapapp.app_view import (EVENT_TYPES, LAYERS, AreaCache, app_address, article_link, change_of, date_from_query,
                             editing_allowed, event_dates, filter_events, format_center, outlets_of, parse_center,
                             parse_zoom, play_from, share_url, sources_up_to, step, timeline_rows, view_of)
from mapapp.areas import BaselineError, baseline_from_bytes
from mapapp.articles import (ArticleError, article_from_text, parse_date, seed_articles, stated_publication_date,
                             text_from_bytes)
from mapapp.dates import long_date
from mapapp.export import MEDIA_TYPES, ExportError, export_alt_text, export_bytes
from mapapp.gazetteer import load_gazetteer
from mapapp.geoparse import geocode, mentions_from_text
from mapapp.render.article_html import highlighted_article_html
from mapapp.render.date_map import base_map, date_layers, fit_of
from mapapp.render.folium_layers import display_features, display_name, mentions_map
from mapapp.render.offline import ensure_static_assets, use_local_leaflet
from mapapp.render.style import DEFAULT_TITLE
from mapapp.store import Store, StoreError
from mapapp.timeline import span, state_at

st.set_page_config(page_title="Front-line map from news reports", layout="wide")
MAP_TAB, ARTICLE_TAB = "Map at a date", "Articles and places"
SOURCES_SHOWN = 100
REST_OF_PAGE_AFTER = 1.0   # seconds between the first paint (header, map, slider) and the whole page
EXPORT_CHOICES = {"png": "PNG image", "svg": "SVG image (editable)", "pdf": "PDF (map or handout)",
                  "gif": "GIF timelapse", "mp4": "MP4 timelapse", "html": "Offline HTML with time slider",
                  "geojson": "GeoJSON (events and areas)", "kml": "KML (Google Earth)", "csv": "CSV (events)",
                  "gpkg": "GeoPackage (QGIS)"}
DB_PATH = settings.get("DB")
NAMES = settings.NAMES


@st.cache_resource(show_spinner="Loading the gazetteer…")
def _gazetteer():
    return load_gazetteer()


@st.cache_resource
def _static_assets():
    return ensure_static_assets()


def _store() -> Store:
    return Store(DB_PATH, gazetteer=_gazetteer())


def _store_version() -> tuple:
    """Changes whenever an article, report or correction is added or undone: the key of every cached view.
    Three aggregate queries per run; a fresh store is first loaded with the seed articles, as `make run` does."""
    with _store() as store:
        articles_row = store.db.execute("SELECT COUNT(*), MAX(retracted_at) FROM articles").fetchone()
        if articles_row[0] == 0:
            for seed in seed_articles():
                store.add_article(seed)
            articles_row = store.db.execute("SELECT COUNT(*), MAX(retracted_at) FROM articles").fetchone()
        return (store.db.execute("SELECT COUNT(*), MAX(rowid) FROM reports").fetchone(),
                store.db.execute("SELECT COUNT(*), MAX(id), MAX(undone_at) FROM corrections").fetchone(),
                articles_row)


@st.cache_resource(show_spinner="Reading the store…", max_entries=4)
def _events(db_path: str, version: tuple):
    with _store() as store:
        return store.events()


@st.cache_resource(show_spinner="Reading the store…", max_entries=4)
def _articles(db_path: str, version: tuple):
    with _store() as store:
        return {a.id: a for a in store.articles()}


@st.cache_resource(max_entries=8, show_spinner=False)
def _area_cache(db_path: str, version: tuple, baseline_key: str, _baseline) -> AreaCache:
    """One per corpus version and baseline, shared by every reader; warmed in the background from the last date."""
    cache = AreaCache(_events(db_path, version), _baseline, prepare=display_features)
    bounds = span(cache.events)
    if bounds:
        cache.warm(bounds[1])   # where the slider opens
    return cache


def _areas(db_path: str, version: tuple, when: date, baseline_key: str, _baseline):
    return _area_cache(db_path, version, baseline_key, _baseline).get(when)


def _configured_password() -> str:
    if settings.EDITOR_PASSWORD:
        return settings.EDITOR_PASSWORD
    try:
        return str(st.secrets.get("editor_password", "") or "")
    except Exception:   # no secrets file at all: a local single user
        return ""


_static_assets()
version = _store_version()
events = _events(DB_PATH, version)
articles = _articles(DB_PATH, version)
dates = event_dates(events)
bounds = span(events)

# First paint: a session's first run on the map tab sends the header, the map and its slider only, so the map draws
# sooner (the browser draws every widget of a page before the map's frame gets its turn). The rest of the page
# follows a moment later, on a rerun the page asks for itself (see the end of this script).
first_paint = ("page_shown" not in st.session_state and bounds is not None
               and st.query_params.get("view", MAP_TAB) == MAP_TAB)
st.session_state["page_shown"] = True

# ------------------------------------------------------------------------------------------------------------
# Sidebar: who may edit, add an article, find a place, settings

def _add_article() -> None:
    """The add-article form's submit: validate, store, report next to the form. Nothing stored is touched on error."""
    upload = st.session_state.get("new_file")
    text = st.session_state.get("new_text", "")
    limit = settings.APP_MAX_ARTICLE_BYTES
    try:
        if upload is not None:
            if upload.size > limit:
                raise ArticleError(f"{upload.size / 1e6:.1f} MB is more than the {limit / 1e6:.0f} MB an article "
                                   "may be here (use the command line `ingest` for bulk text)")
            text, _ = text_from_bytes(upload.getvalue(), name="the uploaded file",
                                      html_hint=upload.name.lower().endswith((".html", ".htm")))
        elif len(text.encode()) > limit:
            raise ArticleError(f"the pasted text is more than the {limit / 1e6:.0f} MB an article may be")
        published = parse_date(st.session_state.get("new_published", "").strip() or None)
        article = article_from_text(text, title=st.session_state.get("new_title", "").strip(),
                                    outlet=st.session_state.get("new_outlet", "").strip(), published=published)
        notes = []
        if article.published is None:
            stated = stated_publication_date(article.text)
            if stated is not None:
                from dataclasses import replace
                article = replace(article, published=stated)
                notes.append(f"publication date {stated} taken from the text")
            else:
                notes.append("no publication date: relative dates ('on Sunday') stay unresolved")
        with _store() as store:
            result = store.add_article(article)
            places = store.reported_places(result.article_id) if result.status == "added" else []
    except (ArticleError, StoreError) as exc:
        st.session_state["add_result"] = ("error", str(exc))
        return
    if result.status == "duplicate":
        st.session_state["add_result"] = ("info", f"Already stored as {result.duplicate_of}: nothing added.")
    elif result.status == "unchanged":
        st.session_state["add_result"] = ("info", "This article is already stored.")
    elif result.reports == 0:
        st.session_state["add_result"] = ("warning", f"Stored “{article.title}”, but it reports no event at a "
                                          "place the gazetteer knows: nothing new on the map.")
    else:
        st.session_state["add_result"] = ("success", f"Added “{article.title}”: {result.reports} reports."
                                          + (" " + "; ".join(notes) + "." if notes else ""))
        view = view_of(places)   # the map looks at what the article reports
        if view is not None:
            _focus(*view[0], view[1])
    st.session_state["article"] = result.duplicate_of or result.article_id
    if result.status == "added":   # stored: the form is ready for the next article (on an error it keeps the text)
        for key in ("new_text", "new_title", "new_outlet", "new_published"):
            st.session_state[key] = ""


def _focus(lat: float, lon: float, zoom: int = 10) -> None:
    st.session_state["view_center"] = (lat, lon)
    st.session_state["view_zoom"] = zoom
    st.session_state["view"] = MAP_TAB


def _sidebar() -> bool:
    """Who may edit, the add-article form, place search and settings. Returns whether editing is allowed."""
    password = _configured_password()
    if password:
        given = st.sidebar.text_input("Editor password", type="password", key="editor_password",
                                      help="Adding articles and corrections need the editor password.")
        can_edit = editing_allowed(password, given)
        st.sidebar.caption("Editing enabled." if can_edit else "Read-only map: enter the editor password to edit.")
    else:
        can_edit = True

    if can_edit:
        with st.sidebar.form("add_article", clear_on_submit=False):
            st.markdown("**Add an article**")
            st.text_area("Article text", height=150, key="new_text")
            st.file_uploader("…or upload .txt / .md / .html", type=["txt", "md", "html", "htm"], key="new_file")
            st.text_input("Title (optional)", key="new_title")
            st.text_input("Outlet", key="new_outlet")
            st.text_input("Published (YYYY-MM-DD)", key="new_published")
            st.form_submit_button("Add to the map", on_click=_add_article)
        if "add_result" in st.session_state:
            kind, message = st.session_state["add_result"]
            getattr(st.sidebar, kind)(message)

    st.sidebar.markdown("**Find a place**")
    query = st.sidebar.text_input("Place name (any spelling)", key="place_query", label_visibility="collapsed",
                                  placeholder="Find a place: Izium, Kupjansk, Лиман…")
    if query.strip():
        found = [place for place, _score in geocode(query.strip(), gazetteer=_gazetteer(), limit=5)[1]]
        if not found:
            st.sidebar.caption(f"No place called “{query.strip()}” in the gazetteer.")
        for i, place in enumerate(found):
            label = f"{display_name(place, NAMES)} — {place.kind}, {place.admin1 or place.country}"
            st.sidebar.button(label, key=f"goto_{i}", on_click=_focus, args=(place.lat, place.lon, 11),
                              help="Show on the map")

    with st.sidebar.expander("Settings"):
        st.caption("Set through environment variables MAPAPP_<NAME> (see mapapp/settings.py).")
        st.markdown("\n".join(f"- `{s.name}` = `{'•••' if s.name == 'EDITOR_PASSWORD' and s.value else s.value}`"
                               for s in settings.SETTINGS if s.name not in ("ONLINE_USER_AGENT",)))
    return can_edit


can_edit = False
if first_paint:
    st.sidebar.caption("Loading the tools…")
else:
    can_edit = _sidebar()

# ------------------------------------------------------------------------------------------------------------
# Header

n_sources = len({s.article for e in events for s in e.sources})
# Less empty space above the title: at 1440×900 the map's date slider and its controls stay in view under the map.
st.html("<style>[data-testid='stMainBlockContainer'] { padding-top: 2.5rem; }</style>")
st.title("Front line from the news")
st.caption(f"Every shape comes from a quoted report. **The map shows reported claims, not verified control** — "
           f"{len(events)} events from {n_sources} articles.")
map_tab, article_tab = st.tabs([MAP_TAB, ARTICLE_TAB], key="view", bind="query-params")

# ------------------------------------------------------------------------------------------------------------
# Map at a date


def _set_date(when: date | None) -> None:
    if when is not None and bounds:
        st.session_state["date"] = min(max(when, bounds[0]), bounds[1])


def _toggle_play() -> None:
    playing = not st.session_state.get("playing", False)
    st.session_state["playing"] = playing
    if playing:
        st.session_state["play_started"] = True
        _set_date(play_from(dates, st.session_state.get("date", bounds[1])))


def _selected_event():
    """The event chosen in the timeline (None when none is, or it is gone)."""
    wanted = st.session_state.get("selected_event")
    return next((e for e in events if e.event_id == wanted), None) if wanted else None


def _choose_event() -> None:
    chosen = st.session_state["timeline"].selection.rows
    rows = st.session_state.get("timeline_rows", [])
    if not chosen or chosen[0] >= len(rows):
        return
    row = rows[chosen[0]]
    st.session_state["selected_event"] = row["id"]
    _set_date(row["date"])
    event = _selected_event()
    if event is not None:
        _focus(event.place.lat, event.place.lon, 10)


def _default_date() -> date:
    try:
        wanted = parse_date(settings.DEFAULT_DATE or None)
    except ArticleError:
        wanted = None
    return min(max(wanted, bounds[0]), bounds[1]) if wanted else bounds[1]


def _change_and_sources(when: date, areas, baseline_key: str, baseline) -> None:
    """Beside the map: the area gained since an earlier date, and the articles behind the map at this date."""
    earlier = [d for d in dates if d < when]
    if earlier and st.toggle("What changed since…", value=len(events) <= 2000, key="show_change",
                             help="Area gained between an earlier date and this one (off by default "
                                  "for large corpora: it computes a second map)."):
        if st.session_state.get("since") not in earlier:
            st.session_state.pop("since", None)
        since = st.select_slider("Since", options=earlier, value=earlier[0], format_func=date.isoformat, key="since")
        change = change_of(_areas(DB_PATH, version, since, baseline_key, baseline), areas, events)
        st.caption(f"Since {since}: **+{change.gained_km2:,.0f} km²** liberated, "
                   f"{change.lost_km2:,.0f} km² no longer shown liberated, "
                   f"+{change.contested_km2:,.0f} km² contested; {change.new_events} new events.")
    sources = sources_up_to(events, when)
    with st.expander(f"Sources up to {when} ({len(sources)})", expanded=False):
        lines = []
        for row in sources[:SOURCES_SHOWN]:
            title = articles[row["article"]].title if row["article"] in articles else row["article"]
            lines.append(f"- {html.escape(row['outlet'] or 'unknown outlet')}, "
                         f"{row['published'] or 'undated'}: {html.escape(title)} ({row['events']} events)")
        if len(sources) > SOURCES_SHOWN:
            lines.append(f"- … and {len(sources) - SOURCES_SHOWN} more (export the CSV for all)")
        st.markdown("\n".join(lines))


with map_tab:
    if map_tab.open is False:
        pass   # another tab is open: skip the map's work
    elif bounds is None:
        st.info("No dated events yet: add an article with the form in the sidebar.")
    else:
        first, last = bounds
        # The widgets under the map hold its baseline and layers: a widget's value is in session state before the
        # widget is drawn again, so the map above it can use it.
        baseline, baseline_key, baseline_error = None, "", None
        upload = st.session_state.get("baseline")
        if upload is not None:
            try:
                data = upload.getvalue()
                baseline = baseline_from_bytes(data, upload.name)
                baseline_key = hashlib.sha256(data).hexdigest()
            except BaselineError as exc:
                baseline_error = str(exc)
        if "date" not in st.session_state:   # a shared link names its date (ISO; older links: microseconds)
            _set_date(date_from_query(st.query_params.get("date")))
        if "layers" not in st.session_state:   # a shared link names its layers
            from_url = [layer for layer in st.query_params.get_all("layers") if layer in LAYERS]
            st.session_state["layers"] = from_url or list(LAYERS)
        layers = [layer for layer in st.session_state["layers"] if layer in LAYERS]
        playing = st.session_state.get("playing", False)

        @st.fragment(run_every=settings.PLAY_SECONDS if playing else None)
        def date_view() -> None:
            # While this view is drawn, the areas warm-up starts no new date (it would slow the reader).
            cache = _area_cache(DB_PATH, version, baseline_key, baseline)
            with cache.reading():
                _date_view_body(cache)

        def _date_view_body(cache: AreaCache) -> None:
            started = time.perf_counter()
            if st.session_state.get("playing"):
                if st.session_state.pop("play_started", False):
                    pass  # the first frame is where play started
                else:
                    following = step(dates, st.session_state.get("date", last), +1)
                    if following is None:
                        st.session_state["playing"] = False
                        st.rerun(scope="app")
                    _set_date(following)
            view_area = st.container()   # the map, then its slider under it
            when = st.slider("Date", min_value=first, max_value=last,
                             value=None if "date" in st.session_state else _default_date(), format="YYYY-MM-DD",
                             key="date",
                             help="The map shows the reported state on this date. Keys ←/→ move a day.")
            if st.query_params.get("date") != when.isoformat():   # the address bar holds the date, as ISO
                st.query_params["date"] = when.isoformat()
            areas = cache.get(when)
            states = state_at(events, when)
            link = lambda article, quote: article_link(None, article, quote)  # noqa: E731  ("?…", completed below)
            note = f"Reported claims, not verified control. {n_sources} articles."
            fmap = use_local_leaflet(base_map(tiles=settings.TILES, note=note, fit=fit_of(events)))
            groups = date_layers(areas, states, events, when, layers=layers, link=link, names=NAMES,
                                 link_base=app_address(st.context.url), memo=cache.markers, chosen=_selected_event())
            center = st.session_state.get("view_center") or parse_center(st.query_params.get("center")) \
                or parse_center(settings.DEFAULT_CENTER)
            zoom = st.session_state.get("view_zoom") or parse_zoom(st.query_params.get("zoom")) \
                or parse_zoom(settings.DEFAULT_ZOOM)
            if st.session_state.get("view_center") and (st.query_params.get("center"), st.query_params.get("zoom")) \
                    != (format_center(center), str(zoom)):   # a view the app chose (a timeline event, a search)
                st.query_params["center"], st.query_params["zoom"] = format_center(center), str(zoom)
            left, right = view_area.columns([3, 1])
            with left:
                # What the map component is given, kept for tests (AppTest draws no st_folium map).
                st.session_state["map_args"] = {"center": center, "zoom": zoom,
                                                "groups": [g.layer_name for g in groups]}
                moved = st_folium(fmap, feature_group_to_add=groups, layer_control=folium.LayerControl(collapsed=True),
                                  center=center, zoom=zoom, height=620, use_container_width=True,
                                  returned_objects=["center", "zoom", "bounds"], key="datemap")
                # The map reports its view when it loads (before a shared link's view is applied) and whenever
                # the reader pans or zooms: only a change after the first report is the reader's, kept in the URL.
                view = (moved or {}).get("center"), (moved or {}).get("zoom")
                if view[0] and view[1]:
                    reported = (round(view[0]["lat"], 4), round(view[0]["lng"], 4), view[1])
                    if st.session_state.get("reported_view") not in (None, reported):
                        st.query_params["center"] = f"{reported[0]:.4f},{reported[1]:.4f}"
                        st.query_params["zoom"] = str(reported[2])
                        st.session_state["view_center"], st.session_state["view_zoom"] = reported[:2], reported[2]
                        bounds_now = (moved or {}).get("bounds") or {}
                        try:   # what exports frame when the reader has moved the map
                            st.session_state["view_bounds"] = (
                                bounds_now["_southWest"]["lat"], bounds_now["_southWest"]["lng"],
                                bounds_now["_northEast"]["lat"], bounds_now["_northEast"]["lng"])
                        except (KeyError, TypeError):
                            pass
                    st.session_state["reported_view"] = reported
            if not first_paint:   # beside the map: a second later on opening (the map shows sooner without it)
                with right:
                    st.metric("Liberated shown", f"{areas.area_km2('liberated'):,.0f} km²")
                    st.metric("Contested shown", f"{areas.area_km2('contested'):,.0f} km²")
                    if baseline is None:
                        st.caption("No front line without a baseline: load an assessed control map below to draw "
                                   "one.")
                    st.caption("Solid: reported; pale dashed: inferred. Dashed rings: approximate place or fuzzy "
                               "date.")
                    _change_and_sources(when, areas, baseline_key, baseline)
            st.caption("Link to this view: " + share_url(st.context.url, when=when, layers=layers, center=center,
                                                         zoom=zoom))
            if settings.PERF_LOG:   # server time of this view, for bench/app_bench.py
                with open(settings.PERF_LOG, "a", encoding="utf-8") as log:
                    log.write(f"{when}\t{(time.perf_counter() - started) * 1000:.1f}\n")

        date_view()

        if not first_paint:
            controls = st.columns([1, 1, 1, 5])
            controls[0].button("◀ Previous", key="prev", on_click=lambda: _set_date(
                step(dates, st.session_state.get("date", last), -1)), width="stretch")
            controls[1].button("⏸ Pause" if playing else "▶ Play", key="play", on_click=_toggle_play,
                               width="stretch")
            controls[2].button("Next ▶", key="next", on_click=lambda: _set_date(
                step(dates, st.session_state.get("date", last), +1)), width="stretch")

            def _layers_chosen() -> None:
                st.query_params["layers"] = st.session_state["layers"]

            controls[3].multiselect("Layers", list(LAYERS), format_func=LAYERS.get, key="layers",
                                    on_change=_layers_chosen, label_visibility="collapsed",
                                    placeholder="Choose layers to show")
            with st.expander("Baseline control map (optional)"):
                st.file_uploader("GeoJSON or KML with a status per polygon (e.g. an assessed control map)",
                                 type=["geojson", "json", "kml"], key="baseline")
                if baseline_error:
                    st.error(baseline_error)
                elif baseline is not None:
                    st.caption(f"Baseline as of {baseline.date or 'an unknown date'}: events after it move the line.")

            # -- export panel ----------------------------------------------------------------------------------------
            with st.expander("Export this map (image, timelapse, offline HTML, data)"):
                when_shown = st.session_state.get("date", _default_date())
                e1, e2, e3 = st.columns([1, 1, 2])
                fmt = e1.selectbox("Format", list(EXPORT_CHOICES), format_func=EXPORT_CHOICES.get, key="x_format")
                size = e2.selectbox("Size", ["web", "social", "print"], key="x_size",
                                    format_func={"web": "web 1600×1000", "social": "social 1200×675",
                                                 "print": "print A4 300 dpi"}.get,
                                    disabled=fmt not in ("png", "svg", "pdf", "gif", "mp4"))
                e1.caption("Maps use the layers chosen above and the map's view once you have moved it (else they "
                           "frame every place reported); data files hold every report.")
                default = ("Reported control, <timelapse start> to " + long_date(when_shown)
                           if fmt in ("gif", "mp4") else DEFAULT_TITLE.format(date=long_date(when_shown)))
                title = e3.text_input("Title", key="x_title", max_chars=500, placeholder=f"Default: {default}")
                since = None
                if fmt in ("gif", "mp4"):
                    since = st.select_slider("Timelapse from", options=[d for d in dates if d < when_shown] or [first],
                                             format_func=date.isoformat, key="x_since")
                handout = fmt == "pdf" and st.checkbox("Handout: one page per key date up to this one, with the quotes",
                                                       key="x_handout")
                if st.button("Prepare the export", key="x_go"):
                    try:
                        with st.spinner("Drawing…"):
                            data = export_bytes(events, when_shown, fmt, title=title.strip() or None, size=size,
                                                since=since, handout=handout, baseline=baseline, layers=layers,
                                                view=st.session_state.get("view_bounds"))
                        st.session_state["x_file"] = (f"frontline-{when_shown}{'-handout' if handout else ''}.{fmt}",
                                                      data, fmt)
                    except ExportError as exc:
                        st.session_state.pop("x_file", None)
                        st.error(str(exc))
                if "x_file" in st.session_state:
                    name, data, kind = st.session_state["x_file"]
                    st.download_button(f"Download {name} ({len(data) / 1e3:,.0f} kB)", data, file_name=name,
                                       mime=MEDIA_TYPES[kind], key="x_download")
                    if kind in ("png", "svg", "pdf", "gif", "mp4"):
                        st.caption("Alt text: " + export_alt_text(events, when_shown, title=title.strip() or None,
                                                                  baseline=baseline, layers=layers))

            # -- timeline panel --------------------------------------------------------------------------------------
            st.subheader("Timeline")
            f1, f2, f3 = st.columns([2, 3, 1])
            types = f1.multiselect("Event types", EVENT_TYPES, key="f_types", placeholder="All types")
            outlets = f2.multiselect("Outlets", outlets_of(events), key="f_outlets", placeholder="All outlets")
            disputed = f3.radio("Disputed", ["all", "only", "hide"], horizontal=True, key="f_disputed")
            rows = timeline_rows(filter_events(events, types=types, outlets=outlets, disputed=disputed))
            st.caption(f"{len(rows)} events. Choose one to see the map on its date, centred on its place.")
            st.session_state["timeline_rows"] = rows   # what the selection's row numbers refer to
            st.dataframe(rows, key="timeline", on_select=_choose_event, selection_mode="single-row",
                         hide_index=True, width="stretch",
                         column_order=["date", "precision", "place", "event", "disputed", "outlet", "sources", "quote"])

            # -- corrections -----------------------------------------------------------------------------------------
            selected = _selected_event()
            if selected is not None:
                with st.expander(f"Correct: {selected.place.name}, {selected.event_type}, {selected.date}",
                                 expanded=False):
                    if not can_edit:
                        st.info("Corrections need the editor password (sidebar).")
                    else:
                        with st.form("correction"):
                            action = st.radio("What is wrong", ["reject", "move", "retype", "redate"], horizontal=True,
                                              format_func={"reject": "Not an event (reject)", "move": "Wrong place",
                                                           "retype": "Wrong type", "redate": "Wrong date"}.get,
                                              key="c_action")
                            new_place = st.text_input("Right place (for a wrong place)", key="c_place")
                            new_type = st.selectbox("Right type (for a wrong type)", EVENT_TYPES, key="c_type")
                            new_date = st.text_input("Right date YYYY-MM-DD (for a wrong date)", key="c_date")
                            who = st.text_input("Your name", key="c_who")
                            why = st.text_input("Why", key="c_why")
                            submitted = st.form_submit_button("Save correction")
                        if submitted:
                            try:
                                payload = {}
                                if action == "move":
                                    best = geocode(new_place.strip(), gazetteer=_gazetteer())[0] \
                                        if new_place.strip() else None
                                    if best is None:
                                        raise StoreError(f"no place called “{new_place.strip()}” in the gazetteer")
                                    payload["place_id"] = best.place_id
                                elif action == "retype":
                                    payload["event_type"] = new_type
                                elif action == "redate":
                                    payload["date"] = parse_date(new_date.strip(), field="date")
                                    if payload["date"] is None:
                                        raise StoreError("a wrong date needs the right date")
                                    payload["date"] = payload["date"].isoformat()
                                    payload["date_precision"] = "day"
                                with _store() as store:
                                    store.correct(action, event_id=selected.event_id, who=who, why=why, **payload)
                                st.session_state.pop("selected_event", None)
                                st.toast("Correction saved; the map and timeline use it.")
                                st.rerun()
                            except (StoreError, ArticleError) as exc:
                                st.error(str(exc))
            if can_edit:
                with _store() as store:
                    active = store.corrections(active_only=True)
                if active:
                    with st.expander(f"Corrections ({len(active)})"):
                        for c in active:
                            cols = st.columns([5, 1])
                            cols[0].caption(f"#{c.id} {c.action} {c.event_id or ''} {c.payload or ''} — {c.who}, "
                                            f"{c.at}: {c.why}")
                            if cols[1].button("Undo", key=f"undo_{c.id}"):
                                with _store() as store:
                                    store.undo(c.id, who=st.session_state.get("c_who") or "editor")
                                st.rerun()

# ------------------------------------------------------------------------------------------------------------
# Articles and places

with article_tab:
    st.subheader("Places named in the news")
    ids = list(articles)
    if article_tab.open is False:
        pass   # another tab is open: skip geoparsing the article
    elif not ids:
        st.info("No articles yet: add one with the form in the sidebar.")
    else:
        if "article" not in st.session_state and st.query_params.get("article") in ids:
            st.session_state["article"] = st.query_params["article"]   # opened from a link (a popup's)
        if st.session_state.get("article") not in ids:
            st.session_state.pop("article", None)

        def _article_chosen() -> None:
            st.query_params["article"] = st.session_state["article"]
            st.query_params.pop("quote", None)

        chosen = st.selectbox("Article", ids, key="article", on_change=_article_chosen,
                              format_func=lambda i: f"{articles[i].outlet or 'unknown outlet'}, "
                                                    f"{articles[i].published or 'undated'} — {articles[i].title}")
        article = articles[chosen]
        mentions = mentions_from_text(article.text, gazetteer=_gazetteer())
        resolved = [m for m in mentions if m.place is not None]
        st.markdown(f"**{html.escape(article.title or article.id)}**")
        st.caption(f"{article.outlet or 'unknown outlet'} · {article.published or 'undated'} · "
                   f"{len(mentions)} place mentions, {len({m.place.place_id for m in resolved})} distinct places, "
                   f"{len(mentions) - len(resolved)} unresolved")
        quote = st.query_params.get("quote", "") if st.query_params.get("article") == chosen else ""
        if quote:
            st.caption("The reported sentence is highlighted in yellow.")
            # Bring the highlighted sentence into view (the component's frame shares the app's origin).
            st.components.v1.html("<script>setTimeout(function(){var q=window.parent.document.getElementById('quote');"
                                  "if(q){q.scrollIntoView({block:'center'});}}, 600);</script>", height=0)
        left, right = st.columns([1, 1])
        with right:
            st_folium(use_local_leaflet(mentions_map(mentions, tiles=settings.TILES if settings.TILES != "none"
                                                     else None)),
                      height=560, use_container_width=True, returned_objects=[], key="map")
        with left:
            st.markdown(highlighted_article_html(article.text, mentions, quote=quote), unsafe_allow_html=True)
        with st.expander("Every mention"):
            st.dataframe([{"text": m.surface, "offset": m.start, "place": m.place.name if m.place else "unresolved",
                           "kind": m.kind, "oblast / region": m.place.admin1 if m.place else "",
                           "lat": m.place.lat if m.place else None, "lon": m.place.lon if m.place else None,
                           "approximate": m.place.approximate if m.place else None, "score": m.score}
                          for m in mentions], width="stretch")

st.caption("Places: GeoNames (geonames.org, CC BY 4.0) and Ukraine's KATOTTG codifier; villages GeoNames lacks are "
           "placed at their hromada's centre and marked approximate. Borders: Natural Earth (public domain). "
           "Tiles, when online: © OpenStreetMap contributors.")

if first_paint:
    @st.fragment(run_every=REST_OF_PAGE_AFTER)
    def _rest_of_the_page() -> None:
        """Runs with the first paint, then once more from the browser's timer: that run asks for the whole page."""
        if st.session_state.pop("first_paint_shown", False):
            st.rerun(scope="app")
        st.session_state["first_paint_shown"] = True

    _rest_of_the_page()
