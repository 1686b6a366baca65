from __future__ import annotations

import datetime as dt

import pytest

from groupsup import demo
from groupsup.storage import Store

# The demo is built relative to a day; tests fix it so their expectations hold on any date.
DEMO_DAY = dt.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _no_real_store(tmp_path, monkeypatch):
    """No test may touch the real user data folder."""
    monkeypatch.setenv("GROUPSUP_STORE", str(tmp_path / "default-store"))


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "store")


@pytest.fixture
def demo_store(store) -> Store:
    demo.fill(store, DEMO_DAY)
    return store


START = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)


class FakeTime:
    """A monotonic clock and a wall clock that move together, only when told to."""

    def __init__(self) -> None:
        self.seconds = 1000.0
        self.offset = 0.0

    def monotonic(self) -> float:
        return self.seconds

    def wall(self) -> dt.datetime:
        return START + dt.timedelta(seconds=self.seconds - 1000.0 + self.offset)

    def pass_minutes(self, minutes: float) -> None:
        self.seconds += minutes * 60


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()
