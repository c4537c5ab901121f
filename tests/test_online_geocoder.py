"""The optional online fallback: cached, rate-limited, harmless when offline. No network is used here."""

from mapapp.online_geocoder import OnlineGeocoder


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def test_answers_are_cached_on_disk_and_requests_spaced_a_second_apart(tmp_path):
    calls = []

    def query(name):
        calls.append(name)
        return {"name": name.title(), "lat": 48.5, "lon": 37.9, "osm_id": 42} if name != "Nowhere" else {}

    clock = FakeClock()
    geocoder = OnlineGeocoder(cache_path=tmp_path / "cache.json", query=query, clock=clock, sleep=clock.sleep)
    place = geocoder.lookup("Novoselivka Druha")
    assert (place.lat, place.lon, place.approximate) == (48.5, 37.9, True)
    assert geocoder.lookup("Nowhere") is None
    assert clock.slept == [1.0]
    assert geocoder.lookup("novoselivka  druha") is not None and len(calls) == 2  # served from the cache
    again = OnlineGeocoder(cache_path=tmp_path / "cache.json", query=query)
    assert again.lookup("Nowhere") is None and len(calls) == 2  # the next session reads the disk cache


def test_network_failure_is_not_cached_and_never_raises(tmp_path):
    geocoder = OnlineGeocoder(cache_path=tmp_path / "cache.json", query=lambda name: None)
    assert geocoder.lookup("Somewhere") is None
    assert not (tmp_path / "cache.json").exists()
