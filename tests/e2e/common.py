"""Shared pieces of the end-to-end tests: Chromium settings and a demo instance from `probidad init`."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Screenshots and plots go to docs/ only when asked (`make docs-artifacts`); a normal test run leaves the
# checkout clean and writes them under instance/ (gitignored).
ARTIFACTS = ROOT / ("docs" if os.environ.get("PROBIDAD_DOCS_ARTIFACTS") == "1" else "instance/test-artifacts")
SHOTS = ARTIFACTS / "screenshots"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
PROBIDAD = str(Path(sys.executable).parent / "probidad")


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def init_demo(env: dict) -> dict[str, tuple[str, str]]:
    """Run `probidad init` and return the printed demo users: {username: (password, totp secret)}."""
    init = subprocess.run([PROBIDAD, "init"], env=env, capture_output=True, text=True, timeout=300, check=True)
    return {m.group(1): (m.group(2), m.group(3)) for m in
            re.finditer(r"demo user (\S+) password (\S+) totp-secret (\S+)", init.stdout)}


def start_server(env: dict) -> tuple[subprocess.Popen, str]:
    """`probidad run` on a free 127.0.0.1 port, once /healthz answers; returns (process, base URL)."""
    port = free_port()
    proc = subprocess.Popen([PROBIDAD, "run", "--host", "127.0.0.1", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)  # noqa: S310 - local test server
            return proc, base
        except OSError:
            time.sleep(0.5)
    proc.kill()
    pytest.fail("probidad run did not start")


def stop_server(proc: subprocess.Popen) -> str:
    """Stop a server from `start_server`; returns what it wrote to stderr."""
    proc.terminate()
    _, errors = proc.communicate(timeout=20)
    return errors
