"""Fixtures of the reports tests: one seeded world per module (see seed.py for the timeline)."""

from __future__ import annotations

import pytest

from tests.reports.seed import seed


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """(engine, clock, ids) of the hand-worked world, shared by the tests of a module (read-only use)."""
    return seed(tmp_path_factory.mktemp("reports"))
