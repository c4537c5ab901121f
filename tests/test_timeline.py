from datetime import date

from mapapp.articles import Article
from mapapp.events import events_from_articles
from mapapp.timeline import span, state_at


def _events():
    texts = [
        ("a", date(2022, 9, 7), "Heavy fighting continued around Balakliia on Tuesday."),
        ("b", date(2022, 9, 10), "Ukrainian troops recaptured Balakliia on Thursday. Shelling hit Izium overnight."),
        ("c", date(2022, 5, 16), "Ruska Lozova was liberated last April."),
        ("d", date(2022, 9, 10), "Ukrainian troops raised the flag over Kupiansk – something Russia disputes."),
    ]
    return events_from_articles([Article(i, i, "o", d, t) for i, d, t in texts])


def test_state_is_the_latest_event_on_or_before_the_date():
    events = _events()
    before = state_at(events, date(2022, 9, 7))
    assert before["geonames:712926"].status == "contested"
    after = state_at(events, date(2022, 9, 8))
    assert after["geonames:712926"].status == "liberated"
    assert "geonames:703656" not in before                       # Kupiansk: nothing yet
    assert state_at(events, date(2022, 9, 10))["geonames:703656"].disputed


def test_fuzzy_dates_count_from_the_start_of_their_window_and_shelling_changes_no_control():
    events = _events()
    april = state_at(events, date(2022, 4, 2))["geonames:695106"]
    assert april.status == "liberated" and april.precision == "month"
    assert "geonames:695106" not in state_at(events, date(2022, 3, 31))
    izium = state_at(events, date(2022, 9, 10))["geonames:707292"]
    assert izium.status is None and izium.last_shelling is not None
    assert span(events) == (date(2022, 4, 1), date(2022, 9, 10))
