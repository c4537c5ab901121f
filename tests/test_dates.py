from datetime import date

import pytest

from mapapp.dates import date_of, dates_in, overlaps, window

SAT = date(2022, 9, 10)   # a Saturday
MON = date(2022, 5, 16)   # a Monday


@pytest.mark.parametrize("text, published, expected, precision", [
    ("liberating Balakliya on Thursday, Sept 8", SAT, date(2022, 9, 8), "day"),
    ("liberated by Ukrainian troops on Friday", SAT, date(2022, 9, 9), "day"),
    ("officials said on Monday", MON, MON, "day"),                       # the same weekday is that day
    ("on Saturday", SAT, SAT, "day"),
    ("last Saturday", SAT, date(2022, 9, 3), "day"),
    ("the video was taken yesterday", MON, date(2022, 5, 15), "day"),
    ("killed overnight", SAT, SAT, "day"),
    ("earlier this week", SAT, date(2022, 9, 5), "week"),
    ("last week", SAT, date(2022, 8, 29), "week"),
    ("It was liberated last April", MON, date(2022, 4, 1), "month"),
    ("in September", MON, date(2021, 9, 1), "month"),                  # a later month means last year's
    ("that fell at the start of July", SAT, date(2022, 7, 1), "month"),
    ("on 11 November 2022", SAT, date(2022, 11, 11), "day"),
    ("Sept. 30", date(2022, 10, 2), date(2022, 9, 30), "day"),
    ("on Dec 31", date(2023, 1, 2), date(2022, 12, 31), "day"),         # a year boundary, looking back
    ("Feb. 24", SAT, date(2022, 2, 24), "day"),
    ("In February 2024 Ukrainian troops withdrew", date(2024, 12, 10), date(2024, 2, 1), "month"),  # month and year
    ("captured in May, 2023", date(2024, 12, 10), date(2023, 5, 1), "month"),
])
def test_dates_resolve_against_publication(text, published, expected, precision):
    resolved = date_of(text, published)
    assert (resolved.date, resolved.precision) == (expected, precision)


def test_impossible_and_missing_dates():
    assert date_of("on Sept 31 the town fell", SAT) is None
    assert date_of("on Friday", None) is None            # undated article: relative dates stay unresolved
    assert date_of("on 8 September 2022", None).date == date(2022, 9, 8)  # a full date needs no publication date
    assert dates_in("no date here", SAT) == []


def test_windows_and_overlap():
    assert window(date(2022, 9, 7), "week") == (date(2022, 9, 5), date(2022, 9, 11))
    assert window(date(2022, 4, 1), "month") == (date(2022, 4, 1), date(2022, 4, 30))
    assert overlaps((date(2022, 9, 8), "day"), (date(2022, 9, 9), "day"))
    assert not overlaps((date(2022, 9, 8), "day"), (date(2022, 9, 11), "day"))
    assert overlaps((date(2022, 9, 5), "week"), (date(2022, 9, 10), "day"))
