"""The limits of scrubbing memory in Python (SECURITY.md test 16), documented as SecureDrop does.

A fresh Python process seals a canary narrative through the Engine, reads it back, drops every
reference and collects garbage, then scans its own writable memory (/proc/self/mem) for the
canary. Python strings and bytes are immutable and freed memory is not zeroed, so copies survive:
the test is expected to fail (strict xfail: if it ever passes, the note in docs/security.md must be
revisited). The defence is architectural instead: plaintext exists only in the request that needs
it, keys for content are never held by the timer worker, and swap should be encrypted or disabled
on the server (docs/security.md, "Out of scope").
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import gc, re, secrets, sys
from pathlib import Path
from tests.integration.test_content_support import build

engine = build(Path(sys.argv[1]))
canary = "MEMCANARY" + secrets.token_hex(12)
needle = canary.encode()
case_id = engine.start_case_with_content("fixture", {"channel": "web"}, {"narrative": canary}, actor="web")
assert engine.content(case_id, actor="oii")["narrative"] == canary
del canary
gc.collect()
hits = 0
with open("/proc/self/maps") as maps, open("/proc/self/mem", "rb", 0) as mem:
    for line in maps:
        match = re.match(r"([0-9a-f]+)-([0-9a-f]+) rw", line)
        if not match:
            continue
        start, end = int(match.group(1), 16), int(match.group(2), 16)
        if end - start > 512 * 1024 * 1024:
            continue
        try:
            mem.seek(start)
            chunk = mem.read(end - start)
        except (OSError, ValueError, OverflowError):
            continue
        hits += chunk.count(needle)
# The needle itself lives in this frame: one copy is ours, not the engine's.
print(max(0, hits - 1))
"""


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="needs Linux /proc")
@pytest.mark.xfail(strict=True, reason="Python cannot scrub immutable str/bytes: plaintext copies outlive their use")
def test_no_plaintext_copy_survives_in_memory(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PROBIDAD_TEST_DATABASE_URL", None)
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120, check=True)
    assert int(result.stdout.strip().splitlines()[-1]) == 0
