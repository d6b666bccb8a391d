"""The layer rule, the module budget and the public API are checked by tests, not by memory."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("engine", "workflows", "web", "keys", "bench")


def test_import_linter_contracts_are_kept():
    lint = Path(sys.executable).parent / "lint-imports"
    proc = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "0 broken" in proc.stdout


def test_no_module_exceeds_400_lines():
    too_big = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "node_modules" in path.parts:
                continue
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > 400:
                too_big.append(f"{path.relative_to(ROOT)} ({lines})")
    assert not too_big, too_big


def test_engine_public_api_resolves_every_name():
    engine = importlib.import_module("engine")
    for name in engine.__all__:
        assert getattr(engine, name) is not None, name
    assert sorted(dir(engine)) == sorted(engine.__all__)


def test_importing_the_engine_package_does_no_work():
    code = "import sys, engine, engine.errors; print('SpiffWorkflow' in sys.modules, 'sqlalchemy' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.stdout.split() == ["False", "False"], proc.stdout + proc.stderr


def test_keys_public_api_is_declared():
    keys = importlib.import_module("keys")
    assert keys.__all__ and all(hasattr(keys, n) for n in keys.__all__)
