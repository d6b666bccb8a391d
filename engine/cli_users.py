"""CLI commands of the users feature."""

from __future__ import annotations


def register(main) -> None:
    """Attach this feature's commands to the `probidad` group (none yet)."""
