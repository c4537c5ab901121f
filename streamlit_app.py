"""The app's first page: pick an article, read it with its places marked, see them on the map.

Widgets and layout only; every computation lives in ``mapapp`` and is tested without Streamlit.
"""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from mapapp.articles import ArticleError, article_from_text, seed_articles, text_from_bytes
from mapapp.gazetteer import load_gazetteer
from mapapp.geoparse import mentions_from_text
from mapapp.render.article_html import highlighted_article_html
from mapapp.render.folium_layers import mentions_map
from mapapp.render.offline import ensure_static_assets, use_local_leaflet

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


st.title("Places named in the news")
st.caption("Every place an article names, found in the gazetteer and put on the map — whatever the spelling.")

_static_assets()
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

if article is None:
    st.info("Choose a seed article or paste one in the sidebar.")
    st.stop()

mentions = mentions_from_text(article.text, gazetteer=_gazetteer())
resolved = [m for m in mentions if m.place is not None]
st.subheader(article.title or article.id)
st.caption(f"{article.outlet or 'unknown outlet'} · {article.published or 'undated'} · "
           f"{len(mentions)} place mentions, {len({m.place.place_id for m in resolved})} distinct places, "
           f"{len(mentions) - len(resolved)} unresolved")

left, right = st.columns([1, 1])
with right:
    st_folium(use_local_leaflet(mentions_map(mentions)), height=560, use_container_width=True, returned_objects=[], key="map")
with left:
    st.markdown(highlighted_article_html(article.text, mentions), unsafe_allow_html=True)

with st.expander("Every mention"):
    st.dataframe([{"text": m.surface, "offset": m.start, "place": m.place.name if m.place else "unresolved",
                   "kind": m.kind, "oblast / region": m.place.admin1 if m.place else "",
                   "lat": m.place.lat if m.place else None, "lon": m.place.lon if m.place else None,
                   "approximate": m.place.approximate if m.place else None, "score": m.score}
                  for m in mentions], use_container_width=True)

st.caption("Places: GeoNames (geonames.org, CC BY 4.0) and Ukraine's KATOTTG codifier. "
           "Villages GeoNames lacks are placed at their hromada's centre and marked approximate.")
