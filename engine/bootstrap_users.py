"""Composition root for the users feature: wires its adapters into the engine."""

from __future__ import annotations


def wire(engine, settings, db) -> None:
    """Register repositories and collaborators of the users feature (nothing yet)."""
