"""Every benchmark module runs at a tiny size and returns well-formed rows (no timing assertions).

SQLite only: the benchmarks build their own databases (PostgreSQL is bench/postgres.py's business).
"""

from __future__ import annotations

import json
import math

import pytest
from click.testing import CliRunner

pytestmark = pytest.mark.sqlite_only

UNITS = {"ms", "ratio", "fraction", "bytes", "cases/s", "flag", "s"}


def _check(rows: list[dict], required: set[str]) -> dict[str, dict]:
    assert rows, "a benchmark returned no rows"
    by_name = {}
    for item in rows:
        assert {"name", "value", "unit", "n", "compared_with"} <= set(item), item
        assert isinstance(item["name"], str) and item["name"]
        assert item["unit"] in UNITS, item
        assert isinstance(item["value"], int | float) and math.isfinite(item["value"]) and item["value"] > 0, item
        assert isinstance(item["n"], int) and item["n"] >= 0, item
        if "goal" in item:
            assert item["meets_goal"] == (item["value"] <= item["goal"]), item
        json.dumps(item)
        by_name[item["name"]] = item
    missing = required - set(by_name)
    assert not missing, f"missing rows: {missing}"
    return by_name


def test_lifecycle_rows():
    from bench import lifecycle

    rows = _check(lifecycle.run(True, n=1), {"lifecycle_ratio", "lifecycle_probidad_ms", "lifecycle_raw_ms",
                                            "lifecycle_raw_default_engine_ms", "lifecycle_raw_state_only_ms"})
    ratio = rows["lifecycle_ratio"]
    assert ratio["value"] == pytest.approx(rows["lifecycle_probidad_ms"]["value"] / rows["lifecycle_raw_ms"]["value"],
                                           rel=1e-3)


def test_crypto_share_rows():
    from bench import crypto_share

    rows = _check(crypto_share.run(True, n=1), {"crypto_share", "crypto_ms_per_call"})
    assert rows["crypto_share"]["value"] < 1


def test_state_size_rows():
    from bench import state_size

    rows = _check(state_size.run(True, loops=(0, 2)), {"state_bytes", "state_bytes_loops_2", "state_bytes_messages"})
    assert rows["state_bytes_loops_2"]["value"] > rows["state_bytes_loops_0"]["value"]


def test_inbox_rows():
    from bench import inbox

    rows = _check(inbox.run(True, sizes=(200, 400), queries=5), {"inbox_p95_ms_200", "inbox_p50_ms_400"})
    assert any(name.startswith("inbox_p95_ratio_") for name in rows)
    assert "ix_tasks_inbox" in rows["inbox_p95_ms_400"]["plan"]


def test_intake_rows():
    from bench import intake

    rows = _check(intake.run(True, count=4), {"intake_per_s"})
    assert any(r["processes"] > 1 for r in rows.values())


def test_runner_collects_modules_and_cli_prints_json_lines(monkeypatch):
    from bench import runner, state_size
    from engine.cli import main

    monkeypatch.setattr(state_size, "run", lambda quick: [{"name": "state_bytes", "value": 3.0, "unit": "bytes",
                                                           "n": 1, "compared_with": None}])
    rows = runner.run_all(True, only=("state_size",))
    assert [r["name"] for r in rows] == ["state_bytes"] and rows[0]["module"] == "state_size"
    result = CliRunner().invoke(main, ["bench", "--quick", "--json", "--only", "state_size"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines() if line.strip()]
    assert [line["name"] for line in lines] == ["state_bytes"]
    table = CliRunner().invoke(main, ["bench", "--quick", "--only", "state_size"])
    assert table.exit_code == 0 and "state_bytes" in table.output


def test_cli_refuses_unknown_benchmark():
    from engine.cli import main

    result = CliRunner().invoke(main, ["bench", "--only", "nope"])
    assert result.exit_code != 0
