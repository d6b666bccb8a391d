"""Composition root for the designer feature (issue 8): drafts repository and case counts."""

from __future__ import annotations

from engine.adapters import schema_designer  # noqa: F401 - registers the tables in `metadata`
from engine.adapters.sql_designer import SqlDesigner
from engine.adapters.sql_uow import register_repository


def wire(engine, settings, db) -> None:
    """Register the designer repository (`uow.designer`)."""
    register_repository("designer", SqlDesigner)
