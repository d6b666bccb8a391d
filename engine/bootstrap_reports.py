"""Composition root for the reports feature: wires its adapters into the engine."""

from __future__ import annotations

from engine.adapters import schema_reports  # noqa: F401 - the tables must be in `metadata`
from engine.adapters.sql_reports import SqlApiTokens, SqlReports, SqlRetention
from engine.adapters.sql_uow import register_repository
from engine.services.reports import project_facts


def wire(engine, settings, db) -> None:
    """Register the reports, API-token and retention repositories and the case-facts store hook."""
    register_repository("reports", SqlReports)
    register_repository("api_tokens", SqlApiTokens)
    register_repository("retention", SqlRetention)
    rt = engine.rt
    hooks = list(rt.extras.get("after_store", ()))
    if project_facts not in hooks:
        hooks.append(project_facts)
    rt.extras["after_store"] = tuple(hooks)
