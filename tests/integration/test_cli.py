"""The CLI contract (ARCHITECTURE §3): outputs scripts rely on, and one clear line on bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import FIXTURE_BPMN

PROBIDAD = [sys.executable, "-m", "engine.cli"]


@pytest.fixture
def cli(tmp_path):
    env = dict(os.environ, PROBIDAD_INSTANCE=str(tmp_path / "instance"))
    env.pop("PROBIDAD_DATABASE_URL", None)

    def run(*args, ok=True):
        proc = subprocess.run([*PROBIDAD, *args], env=env, capture_output=True, text=True, timeout=120,
                              cwd=Path(__file__).resolve().parents[2])
        if ok:
            assert proc.returncode == 0, proc.stderr
        return proc

    run("init")
    return run


def _assert_clean_error(proc, *fragments):
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert lines and all(line.startswith(("error:", "warning:", "Usage", "Try", "Error:"))
                         or line.startswith("Error:") for line in lines), proc.stderr
    for fragment in fragments:
        assert fragment in proc.stderr


def test_deploy_start_show_tick_and_audit(cli, tmp_path):
    out = cli("deploy", str(FIXTURE_BPMN)).stdout.split()
    assert out[0] == "fixture" and out[1] == "1" and len(out[2]) == 64
    again = cli("deploy", str(FIXTURE_BPMN)).stdout.split()
    assert again[:2] == ["fixture", "1"]
    case_id = cli("case", "start", "fixture").stdout.strip().splitlines()[-1]
    tasks = json.loads(cli("task", "list", "--case", case_id, "--json").stdout)
    assert [t["name"] for t in tasks] == ["review"]
    assert {"id", "case_id", "name", "title", "lane", "due_at", "state"} <= set(tasks[0])
    shown = json.loads(cli("case", "show", case_id, "--json").stdout)
    assert {"id", "process_id", "version", "status", "deadlines"} <= set(shown)
    assert shown["deadlines"][0]["policy"] == "denuncia.evaluacion"
    assert cli("timers", "tick", "--now", "2099-01-01T00:00:00+00:00").stdout.strip() == "1"
    escalate = json.loads(cli("task", "list", "--case", case_id, "--json").stdout)[0]
    assert escalate["name"] == "escalate"
    cli("task", "complete", escalate["id"])
    assert json.loads(cli("case", "show", case_id, "--json").stdout)["status"] == "closed"
    assert "audit chain ok" in cli("audit", "verify").stdout
    text = cli("case", "show", case_id).stdout
    assert "deadline denuncia.evaluacion" in text


def test_calendar_add_days(cli):
    assert cli("calendar", "add-days", "2025-07-25", "3").stdout.strip() == "2025-08-01"
    _assert_clean_error(cli("calendar", "add-days", "2025-13-01", "3", ok=False))


def test_bad_input_exits_1_with_one_clear_line(cli, tmp_path):
    _assert_clean_error(cli("deploy", str(tmp_path / "missing.bpmn"), ok=False), "cannot read")
    malformed = tmp_path / "bad.bpmn"
    malformed.write_text("<bpmn:definitions")
    _assert_clean_error(cli("deploy", str(malformed), ok=False), "malformed XML")
    _assert_clean_error(cli("case", "start", "nope", ok=False), "not deployed")
    _assert_clean_error(cli("task", "complete", "not-a-task", ok=False), "not found")
    _assert_clean_error(cli("case", "start", "fixture", "--data", "{not json", ok=False), "invalid JSON")
    _assert_clean_error(cli("case", "show", "0" * 32, ok=False), "not found")
    _assert_clean_error(cli("timers", "tick", "--now", "yesterday", ok=False))


def test_validate_rejects_entities_and_imports_without_running_them(cli, tmp_path):
    xxe = tmp_path / "xxe.bpmn"
    xxe.write_text(FIXTURE_BPMN.read_text().replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'))
    _assert_clean_error(cli("bpmn", "validate", str(xxe), ok=False), "DTDs and entity declarations")
    marker = tmp_path / "pwned"
    evil = tmp_path / "evil.bpmn"
    evil.write_text(FIXTURE_BPMN.read_text().replace(
        "stamped_at = now_iso()", f"__import__('os').system('touch {marker}')"))
    _assert_clean_error(cli("bpmn", "validate", str(evil), ok=False), "[stamp]")
    assert not marker.exists()
    assert cli("bpmn", "validate", str(FIXTURE_BPMN)).returncode == 0
