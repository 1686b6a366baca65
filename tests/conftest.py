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
