"""PNG plots of a benchmark run for docs/benchmarks.md (matplotlib, Agg backend).

    .venv/bin/probidad bench --json > /tmp/bench.jsonl
    .venv/bin/python -m bench.plots /tmp/bench.jsonl docs/img
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path


def _series(rows: list[dict], pattern: str) -> list[tuple[int, float]]:
    found = []
    for item in rows:
        match = re.fullmatch(pattern, item["name"])
        if match:
            found.append((int(item.get("cases") or item.get("open_cases") or item.get("loops")
                              or _size(match.group(1))), item["value"]))
    return sorted(found)


def _size(label: str) -> int:
    return int(label[:-1]) * 1000 if label.endswith("k") else int(label)


def _plot(path: Path, title: str, xlabel: str, ylabel: str, lines: dict[str, list[tuple[int, float]]],
          log_x: bool = True) -> bool:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    lines = {k: v for k, v in lines.items() if v}
    if not lines:
        return False
    fig, ax = plt.subplots(figsize=(6.4, 4))
    for label, points in lines.items():
        ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=label)
    if log_x:
        ax.set_xscale("log")
    ax.set_ylim(bottom=0)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def plot_all(rows: list[dict], folder: Path) -> list[Path]:
    """Write the scaling plots that the rows allow; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    specs = [
        ("bench-inbox.png", "Inbox query latency (first page, SQLite)", "cases", "ms",
         {"p50, 1 lane": r"inbox_p50_ms_(\d+k?)", "p95, 1 lane": r"inbox_p95_ms_(\d+k?)",
          "p50, 2 lanes": r"inbox_p50_ms_2lanes_(\d+k?)", "p95, 2 lanes": r"inbox_p95_ms_2lanes_(\d+k?)"}, True),
        ("bench-sweep.png", "Time to fire the due timers, by open cases (SQLite)", "open cases", "s",
         {"sweep": r"sweep_seconds_(\d+k?)"}, True),
        ("bench-state.png", "Sealed state of a finished complaint vs correction loops", "loops", "bytes",
         {"sealed bytes": r"state_bytes_loops_(\d+)"}, False),
    ]
    for filename, title, xlabel, ylabel, patterns, log_x in specs:
        lines = {label: _series(rows, pattern) for label, pattern in patterns.items()}
        if _plot(folder / filename, title, xlabel, ylabel, lines, log_x):
            made.append(folder / filename)
    return made


def main(argv: list[str]) -> None:
    """python -m bench.plots ROWS.jsonl FOLDER"""
    rows = [json.loads(line) for line in Path(argv[0]).read_text().splitlines() if line.startswith("{")]
    for path in plot_all(rows, Path(argv[1])):
        print(path)


if __name__ == "__main__":
    main(sys.argv[1:])
