"""`make check`'s dependency audit (issue 11 item 10): run pip-audit and say plainly what it proved.

* Known vulnerabilities: listed, exit 1.
* Nothing could be audited (no route to the PyPI/OSV vulnerability service, e.g. an offline
  sandbox or a private mirror): a loud UNAUDITED line with the count; exit 1 when
  PIP_AUDIT_STRICT=1 (CI), else 0 so that offline development is not blocked, but never silently.
* Otherwise: how many packages were audited and how many were skipped (local or private ones).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def main() -> int:
    """Run pip-audit on this virtual environment and report."""
    pip_audit = Path(sys.executable).parent / "pip-audit"
    if not pip_audit.exists():
        print("pip-audit: NOT INSTALLED (pip install -e '.[dev]')", file=sys.stderr)
        return 1
    run = subprocess.run([str(pip_audit), "--format", "json", "--progress-spinner", "off"], capture_output=True,
                         text=True, timeout=600, check=False)
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        last = (run.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"pip-audit: UNAUDITED - the vulnerability service could not be reached ({last[:200]})",
              file=sys.stderr)
        return 1 if os.environ.get("PIP_AUDIT_STRICT") == "1" else 0
    deps = report.get("dependencies", [])
    skipped = [d for d in deps if d.get("skip_reason")]
    vulnerable = [d for d in deps if d.get("vulns")]
    for dep in vulnerable:
        ids = ", ".join(v.get("id", "?") for v in dep["vulns"])
        print(f"pip-audit: VULNERABLE {dep['name']} {dep.get('version', '')}: {ids}", file=sys.stderr)
    audited = len(deps) - len(skipped)
    if vulnerable:
        return 1
    if audited == 0:
        print(f"pip-audit: UNAUDITED - 0 of {len(deps)} packages could be checked (no access to the "
              "vulnerability service); run `make check` with network access or PIP_AUDIT_STRICT=1 in CI",
              file=sys.stderr)
        return 1 if os.environ.get("PIP_AUDIT_STRICT") == "1" else 0
    print(f"pip-audit: no known vulnerabilities in {audited} packages ({len(skipped)} skipped: not on PyPI)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
