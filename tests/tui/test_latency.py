"""Issue 16: the collector stays out of the app's start (tui/latency.py `starting`/`started`)."""

from __future__ import annotations

import gc

import pytest

from intake_assistant.tui import latency
from tests.tui.conftest import home_ready


@pytest.fixture
def collector():
    """Whatever a test does, the collector is on and nothing frozen afterwards."""
    yield
    latency._starting = False
    gc.unfreeze()
    gc.enable()


def test_off_while_starting_then_frozen_and_back_once(collector) -> None:
    latency.starting()
    assert not gc.isenabled()
    latency.started()
    assert gc.isenabled() and gc.get_freeze_count() > 0
    gc.disable()  # someone else's choice later on: `started` again leaves it alone
    latency.started()
    assert not gc.isenabled()


def test_a_collector_turned_off_by_the_embedder_stays_off(collector) -> None:
    gc.disable()
    latency.starting()
    latency.started()
    assert not gc.isenabled()


async def test_the_first_list_on_the_screen_turns_the_collector_back_on(make_app, collector):
    latency.starting()  # as the command line does before importing the app
    async with make_app().run_test(size=(120, 40)) as pilot:
        await home_ready(pilot)
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0  # what the start made is out of the collector's way
