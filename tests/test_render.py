from mapapp.geoparse import mentions_from_text
from mapapp.render.article_html import highlighted_article_html
from mapapp.render.folium_layers import mentions_layer, mentions_map


def test_article_text_is_escaped_around_and_inside_marks():
    text = 'Troops entered <script>alert("x")</script> Izium and <img src=x onerror=alert(1)> Kupiansk.'
    markup = highlighted_article_html(text, mentions_from_text(text))
    assert "<script>" not in markup and "<img" not in markup
    assert "&lt;script&gt;" in markup and "&lt;img src=x onerror=alert(1)&gt;" in markup
    assert markup.count("<mark") == 2 and ">Izium</mark>" in markup


def test_map_layer_has_one_marker_per_place_with_escaped_popup():
    text = "Izium, Izyum and Izyim: three spellings. Then <b>Kupiansk</b>."
    fmap = mentions_map(mentions_from_text(text))
    html = fmap.get_root().render()
    assert html.count("L.circleMarker(") == 2
    assert "written as: Izium, Izyim, Izyum" in html
    assert "<b>Kupiansk</b>" not in html.replace("<b>Kupiansk</b> (settlement)", "")


def test_layer_is_a_feature_group_named_for_the_legend():
    import folium

    group = mentions_layer(mentions_from_text("Troops entered Lyman in the Donetsk region."))
    assert isinstance(group, folium.FeatureGroup) and group.layer_name == "Places named in the article"


def _elements(element, kind):
    for child in element._children.values():
        if isinstance(child, kind):
            yield child
        yield from _elements(child, kind)


def test_map_at_a_date_draws_areas_and_escaped_report_popups():
    from datetime import date

    from mapapp.areas import areas_at
    from mapapp.articles import Article
    from mapapp.events import events_from_articles
    from mapapp.render.folium_layers import CircleMarkers, map_at
    from mapapp.timeline import state_at

    text = ("Ukrainian troops recaptured Balakliia on Thursday <script>alert(1)</script>. "
            "Heavy fighting continued around Lyman.")
    events = events_from_articles([Article("a", "t", "Wire <b>", date(2022, 9, 10), text)])
    when = date(2022, 9, 10)
    fmap = map_at(areas_at(events, when), state_at(events, when), when=when)
    html = fmap.get_root().render()
    # Article text reaches the page escaped as HTML, inside JSON that cannot close its <script> block.
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Wire &lt;b&gt;" in html
    assert "Liberated (reported and inferred)" in html and "Contested / grey zone" in html
    assert sum(len(m.rows) for m in _elements(fmap, CircleMarkers)) == 2   # Balakliia and Lyman


def test_map_data_cannot_close_its_script_block():
    from mapapp.render.folium_layers import script_safe_json

    text = script_safe_json({"popup": "<b>x</b></script><script>alert(1)</script><!-- <SCRIPT>"})
    assert "</" not in text and "<!--" not in text
    import json
    assert json.loads(text.replace("<\\/", "</"))["popup"].startswith("<b>x</b></script>")   # same text to JS


def test_popups_are_sent_compact_and_article_text_cannot_turn_into_markup():
    import html

    from mapapp.render.folium_layers import POPUP_FRAGMENTS, compact_popup, expand_popup

    quote = html.escape("Troops \ue000\ue002 entered Izium <script>x</script> &quote=1")  # private-use chars too
    popup = (f"<b>Izium</b> — liberated<br>“{quote}”<br><a href=\"?view=Articles+and+places&amp;article=a1"
             f"&amp;quote=Troops\" target=\"_blank\">read the article</a>")
    compact = compact_popup(popup)
    assert len(compact) < len(popup) - 60
    assert not any(fragment in compact for fragment in POPUP_FRAGMENTS[:4])
    shown = expand_popup(compact)
    assert shown == popup.replace("\ue000", "\ufffd").replace("\ue002", "\ufffd")
    assert "<script>" not in shown and '" target="_blank">read the article</a>' not in quote


def test_a_region_reported_as_a_whole_is_drawn_as_its_name_not_as_a_point():
    import json
    from datetime import date

    from mapapp.areas import areas_at
    from mapapp.articles import Article
    from mapapp.events import events_from_articles
    from mapapp.render.date_map import date_layers
    from mapapp.render.folium_layers import CircleMarkers
    from mapapp.timeline import state_at

    when = date(2023, 6, 8)
    events = events_from_articles([Article("z", "z", "o", when, "Russian forces have attacked in the Zaporizhzhia "
                                                                "region, and heavy fighting is under way near Robotyne.")])
    groups = date_layers(areas_at(events, when), state_at(events, when), events, when)
    places = next(g for g in groups if g.layer_name == "Settlements by status")
    markers = next(_elements(places, CircleMarkers))
    rows = [json.loads(row) for row in markers.rows]
    shapes = {row[5] or row[3]: markers.styles[row[2]].get("shape") for row in rows}
    assert shapes == {"Zaporizhzhia Oblast": "label", "Robotyne": None}
    region_popup = next(row[4] for row in rows if row[5] == "Zaporizhzhia Oblast")
    assert "as a whole" in region_popup
    recent = next(g for g in groups if g.layer_name.startswith("Reports of the last"))
    assert [json.loads(row)[3] for row in next(_elements(recent, CircleMarkers)).rows] == \
        ["Robotyne: reported 2023-06-08"]


def test_a_russian_advance_says_so_in_its_popup():
    import json
    from datetime import date

    from mapapp.areas import areas_at
    from mapapp.articles import Article
    from mapapp.events import events_from_articles
    from mapapp.render.date_map import date_layers
    from mapapp.render.folium_layers import CircleMarkers, expand_popup
    from mapapp.timeline import state_at

    when = date(2024, 5, 14)
    events = events_from_articles([Article("v", "v", "o", when, "Russian troops advanced toward Lyptsi on Tuesday. "
                                                                "Ukrainian troops advanced toward Kreminna. "
                                                                "Ukrainian forces shelled Horlivka.")])
    groups = date_layers(areas_at(events, when), state_at(events, when), events, when)
    places = next(g for g in groups if g.layer_name == "Settlements by status")
    popups = {row[5] or row[3]: expand_popup(row[4]) for row in map(json.loads, next(_elements(places, CircleMarkers)).rows)}
    assert "Lyptsi</b> — Russian advance" in popups["Lyptsi"]
    assert "Kreminna</b> — advance" in popups["Kreminna"]
    assert "Horlivka</b> — shelling by Ukrainian forces" in popups["Horlivka"]


def test_a_quote_given_by_its_first_words_is_highlighted_to_the_end_of_its_sentence_across_a_line():
    from mapapp.render.article_html import highlighted_article_html, quote_span

    text = ("Intro line.\nAccording to Major General Igor Konashenkov,\nRussian soldiers in Izyum were regrouped. "
            "Next sentence.")
    start, end = quote_span(text, "According to Major General")
    assert text[start:end] == ("According to Major General Igor Konashenkov,\nRussian soldiers in Izyum were "
                               "regrouped.")
    markup = highlighted_article_html(text, [], quote="According to Major General")
    assert markup.index('id="quote"') < markup.index("regrouped.") < markup.index("</span>")


def test_the_event_chosen_in_the_timeline_is_ringed_with_its_own_report_from_its_date_on():
    import json
    from datetime import date

    from mapapp.areas import areas_at
    from mapapp.articles import Article
    from mapapp.events import events_from_articles
    from mapapp.render.date_map import CHOSEN_LAYER, date_layers
    from mapapp.render.folium_layers import CircleMarkers, expand_popup
    from mapapp.timeline import state_at

    events = events_from_articles([Article("k", "k", "Wire", date(2022, 5, 16), "Shelling hit Kharkiv on Monday "
                                           "<b>bold</b>. Ukrainian troops retook Kharkiv's outskirts and Kharkiv "
                                           "itself was liberated on Monday.")])
    shelling = next(e for e in events if e.event_type == "shelling")
    when = shelling.date
    groups = date_layers(areas_at(events, when), state_at(events, when), events, when, chosen=shelling)
    ring = next(g for g in groups if g.layer_name == CHOSEN_LAYER)
    (row,) = [json.loads(r) for r in next(_elements(ring, CircleMarkers)).rows]
    assert row[3] == f"Chosen: Kharkiv, shelling, {when}"
    popup = expand_popup(row[4])
    assert "shelling" in popup and "&lt;b&gt;bold&lt;/b&gt;" in popup and "<b>bold</b>" not in popup
    earlier = date(2022, 5, 1)   # before its date the ring is not drawn
    assert CHOSEN_LAYER not in [g.layer_name for g in date_layers(areas_at(events, earlier), state_at(events, earlier),
                                                                  events, earlier, chosen=shelling)]
