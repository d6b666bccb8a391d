"""Composition root for the notify feature: wires its adapters into the engine."""

from __future__ import annotations


def wire(engine, settings, db) -> None:
    """Register repositories and collaborators of the notify feature (nothing yet)."""
