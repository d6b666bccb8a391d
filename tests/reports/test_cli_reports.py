"""`probidad api-token create|revoke|list`, `retention run`, `export cases` through the real console script."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROBIDAD = [sys.executable, "-m", "engine.cli"]


@pytest.mark.slow
def test_api_token_lifecycle_and_exports(tmp_path):
    env = dict(os.environ, PROBIDAD_INSTANCE=str(tmp_path / "instance"))
    env.pop("PROBIDAD_DATABASE_URL", None)

    def run(*args, code=0):
        proc = subprocess.run([*PROBIDAD, *args], check=False, env=env, capture_output=True, text=True, timeout=120,
                              cwd=Path(__file__).resolve().parents[2])
        assert proc.returncode == code, proc.stderr
        return proc

    run("init")
    created = run("api-token", "create", "--entity", "default", "--role", "oii", "--name", "mesa-virtual")
    token = created.stdout.strip().splitlines()[-1]
    token_id = created.stdout.split("token id: ")[1].split()[0]
    assert token.startswith("pbd_")
    listed = run("api-token", "list").stdout
    assert token_id in listed and token not in listed
    run("api-token", "revoke", token_id)
    bad = run("api-token", "create", "--entity", "default", "--role", "wizard", "--name", "x", code=1)
    assert bad.stderr.startswith("error:") and "Traceback" not in bad.stderr
    out = tmp_path / "casos.csv"
    run("export", "cases", "--fields", "id,status", "--out", str(out))
    assert out.read_bytes().decode("utf-8-sig").splitlines()[0] == "id,status"
    assert "0 shredded" in run("retention", "run").stdout
