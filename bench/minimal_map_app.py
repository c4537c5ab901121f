"""The floor for bench/app_bench.py's page-open timing: a Streamlit page with a title and one small folium map
(same local Leaflet), nothing else. Whatever this takes on a machine, no Streamlit app can beat."""

from pathlib import Path

import folium
import streamlit as st
from streamlit_folium import st_folium

from mapapp.render.offline import ensure_static_assets, use_local_leaflet

ensure_static_assets(Path(__file__).parent / "static")   # Streamlit serves static/ beside the script run
st.title("Front line from the news")
fmap = use_local_leaflet(folium.Map(location=(49.0, 36.5), zoom_start=7, tiles=None))
folium.CircleMarker((49.99, 36.23), radius=8, tooltip="Kharkiv").add_to(fmap)
st_folium(fmap, height=600, returned_objects=[], key="map")
