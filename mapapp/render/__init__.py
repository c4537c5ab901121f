"""Rendering: article text with its places marked, folium layers."""
