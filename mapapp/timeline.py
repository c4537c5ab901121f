"""The timeline: the state of every place at a date, from its events.

A place's status at D is its latest control event (liberated, occupied, contested, advance) whose date window
*starts* on or before D — a month-precise "liberated in April" counts from April 1, and the state keeps the
precision so a map can draw it as fuzzy. Shelling changes no control: it is kept beside the status as the last
strike. Disputes travel with the event that carries them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mapapp.dates import window
from mapapp.events import Event
from mapapp.gazetteer import Place

CONTROL_TYPES = ("liberated", "occupied", "contested", "advance")
# On the same day, the more decisive report wins: a town reported both fought over and retaken was retaken.
_SAME_DAY_RANK = {"liberated": 3, "occupied": 3, "contested": 2, "advance": 1, "shelling": 0}


@dataclass(frozen=True, slots=True)
class PlaceState:
    place: Place
    status: str | None            # the latest control event's type, or None when only shelled
    event: Event | None           # that event
    since: date | None
    precision: str | None
    disputed: bool
    last_shelling: Event | None


def report_window(event: Event) -> tuple[date, date]:
    """The first and last day a dated report may mean (its day, week or month)."""
    return window(event.date, event.date_precision or "day")


def _start(event: Event) -> date:
    return report_window(event)[0]


def state_at(events: list[Event], when: date) -> dict[str, PlaceState]:
    """place_id → its state on ``when``; places with no dated event on or before it are absent."""
    latest: dict[str, Event] = {}
    shelled: dict[str, Event] = {}
    places: dict[str, Place] = {}
    for event in events:
        if event.date is None or _start(event) > when:
            continue
        key = event.place.place_id
        places[key] = event.place
        if event.event_type == "shelling":
            if key not in shelled or _start(event) >= _start(shelled[key]):
                shelled[key] = event
            continue
        current = latest.get(key)
        if current is None or (_start(event), _SAME_DAY_RANK[event.event_type]) >= (
                _start(current), _SAME_DAY_RANK[current.event_type]):
            latest[key] = event
    states = {}
    for key, place in places.items():
        event = latest.get(key)
        states[key] = PlaceState(place, event.event_type if event else None, event,
                                 event.date if event else None, event.date_precision if event else None,
                                 bool(event and event.disputed), shelled.get(key))
    return states


def span(events: list[Event]) -> tuple[date, date] | None:
    """First and last dated event: the range a date slider covers."""
    dated = [e.date for e in events if e.date is not None]
    return (min(dated), max(dated)) if dated else None
