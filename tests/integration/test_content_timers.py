"""The timer worker needs only the workflow keyring (issue 4, point 2)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.errors import ConfigurationError
from engine.testing import FrozenClock
from tests.integration.test_content_support import build, copy_without


def test_timers_fire_for_cases_with_content_without_content_keys(tmp_path):
    clock = FrozenClock()
    full = build(tmp_path, clock=clock)
    case_ids = [full.start_case_with_content("fixture", {}, {"narrative": f"relato {i}"}, actor="web")
                for i in range(3)]
    for case_id in case_ids:
        full.add_comment(case_id, "nota", "oii1", "officer")
        full.add_attachment(case_id, "a.txt", b"contenido", "text/plain", "web")

    worker_keys = copy_without(tmp_path / "keys", tmp_path / "worker-keys", "content", "identity")
    assert not (worker_keys / "content").exists() and (worker_keys / "workflow").exists()
    worker = build(tmp_path, keys_dir=worker_keys, clock=clock, deploy=False)

    clock.advance(timedelta(days=30))
    result = worker.sweep()
    assert result.failed_cases == [] and result.fired == 3
    for case_id in case_ids:
        assert worker.case(case_id).tasks[0].name == "escalate"
        with pytest.raises(ConfigurationError, match="no content keyring"):
            worker.content(case_id, actor="oii1")
    # The full engine still reads the content the worker never touched.
    assert full.content(case_ids[0], actor="oii1") == {"narrative": "relato 0"}
