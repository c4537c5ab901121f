"""The app's first page: pick an article, read it with its places marked, see them on the map.

Widgets and layout only; every computation lives in ``mapapp`` and is tested without Streamlit.
"""

from __future__ import annotations

import html

import streamlit as st
from streamlit_folium import st_folium

from mapapp.articles import ArticleError, article_from_text, seed_articles, text_from_bytes
from mapapp.gazetteer import load_gazetteer
from mapapp.geoparse import mentions_from_text
from mapapp.render.article_html import highlighted_article_html
from mapapp.render.folium_layers import mentions_map
from mapapp.render.offline import ensure_static_assets, use_local_leaflet
from mapapp import settings
from mapapp.areas import BaselineError, areas_at, baseline_from_bytes
from mapapp.render.folium_layers import map_at
from mapapp.store import Store
from mapapp.timeline import span, state_at

st.set_page_config(page_title="Front-line map from news reports", layout="wide")


@st.cache_resource(show_spinner="Loading the gazetteer…")
def _gazetteer():
    return load_gazetteer()


@st.cache_resource
def _static_assets():
    return ensure_static_assets()


@st.cache_data(show_spinner=False)
def _seeds():
    return {f"{a.id} — {a.outlet or 'unknown outlet'}, {a.published or 'undated'}": a for a in seed_articles()}


st.title("Front line from the news")
st.caption("Every shape comes from a quoted report. The map shows reported claims, not verified control.")

map_tab, article_tab = st.tabs(["Map at a date", "Articles and places"])


@st.cache_resource(show_spinner="Reading the store…")
def _store_events(db_path: str, version: tuple):
    with Store(db_path, gazetteer=_gazetteer()) as store:
        return store.events()


def _store_version(db_path: str) -> tuple:
    with Store(db_path, gazetteer=_gazetteer()) as store:
        if not store.articles(include_retracted=True):
            for seed in seed_articles():  # a fresh store: load the seed articles, as `make run` does
                store.add_article(seed)
        return (store.db.execute("SELECT COUNT(*), MAX(rowid) FROM reports").fetchone(),
                store.db.execute("SELECT COUNT(*), MAX(id), MAX(undone_at) FROM corrections").fetchone(),
                store.db.execute("SELECT COUNT(*), MAX(retracted_at) FROM articles").fetchone())


_static_assets()

with map_tab:
    db_path = settings.get("DB")
    events = _store_events(db_path, _store_version(db_path))
    bounds = span(events)
    if bounds is None:
        st.info("No dated events yet: add an article.")
    else:
        first, last = bounds
        upload = st.file_uploader("Baseline control map (optional: GeoJSON or KML, a status per polygon)",
                                  type=["geojson", "json", "kml"], key="baseline")
        baseline = None
        if upload is not None:
            try:
                baseline = baseline_from_bytes(upload.getvalue(), upload.name)
                st.caption(f"Baseline as of {baseline.date or 'an unknown date'}: events after it move the line.")
            except BaselineError as exc:
                st.error(str(exc))
        when = st.slider("Date", min_value=first, max_value=last, value=last, format="YYYY-MM-DD", key="date")
        areas = areas_at(events, when, baseline=baseline)
        states = state_at(events, when)
        left_m, right_m = st.columns([3, 1])
        with left_m:
            st_folium(use_local_leaflet(map_at(areas, states, when=when)), height=600, use_container_width=True,
                      returned_objects=[], key="datemap")
        with right_m:
            st.metric("Liberated shown", f"{areas.area_km2('liberated'):,.0f} km²")
            st.metric("Contested shown", f"{areas.area_km2('contested'):,.0f} km²")
            if baseline is None:
                st.caption("No front line without a baseline: load an assessed control map above to draw one.")
            sources = {s.article for e in events for s in e.sources}
            st.caption(f"{len(events)} events from {len(sources)} articles. Solid: reported; dashed: inferred.")
        rows = [{"date": e.date, "precision": e.date_precision, "place": e.place.name, "event": e.event_type,
                 "disputed": e.disputed, "outlet": e.sources[0].outlet, "quote": e.quote}
                for e in events if e.date is not None and e.date <= when]
        st.dataframe(rows[::-1], use_container_width=True, hide_index=True)

seeds = _seeds()
source = st.sidebar.radio("Article", ["Seed article", "Paste or upload"], key="source")
article = None
if source == "Seed article":
    choice = st.sidebar.selectbox("Seed article", list(seeds), key="seed")
    article = seeds[choice]
else:
    pasted = st.sidebar.text_area("Paste article text", height=200, key="pasted")
    upload = st.sidebar.file_uploader("…or upload a .txt / .md / .html file", type=["txt", "md", "html", "htm"])
    try:
        if upload is not None:
            text, _ = text_from_bytes(upload.getvalue(), name="upload",
                                      html_hint=upload.name.lower().endswith((".html", ".htm")))
            article = article_from_text(text)
        elif pasted.strip():
            article = article_from_text(pasted)
    except ArticleError as exc:
        st.sidebar.error(str(exc))

with article_tab:
    st.subheader("Places named in the news")
    if article is None:
        st.info("Choose a seed article or paste one in the sidebar.")
    else:
        mentions = mentions_from_text(article.text, gazetteer=_gazetteer())
        resolved = [m for m in mentions if m.place is not None]
        st.markdown(f"**{html.escape(article.title or article.id)}**")
        st.caption(f"{article.outlet or 'unknown outlet'} · {article.published or 'undated'} · "
                   f"{len(mentions)} place mentions, {len({m.place.place_id for m in resolved})} distinct places, "
                   f"{len(mentions) - len(resolved)} unresolved")
        left, right = st.columns([1, 1])
        with right:
            st_folium(use_local_leaflet(mentions_map(mentions)), height=560, use_container_width=True,
                      returned_objects=[], key="map")
        with left:
            st.markdown(highlighted_article_html(article.text, mentions), unsafe_allow_html=True)
        with st.expander("Every mention"):
            st.dataframe([{"text": m.surface, "offset": m.start, "place": m.place.name if m.place else "unresolved",
                           "kind": m.kind, "oblast / region": m.place.admin1 if m.place else "",
                           "lat": m.place.lat if m.place else None, "lon": m.place.lon if m.place else None,
                           "approximate": m.place.approximate if m.place else None, "score": m.score}
                          for m in mentions], use_container_width=True)

st.caption("Places: GeoNames (geonames.org, CC BY 4.0) and Ukraine's KATOTTG codifier; villages GeoNames lacks are "
           "placed at their hromada's centre and marked approximate. Borders: Natural Earth (public domain).")
