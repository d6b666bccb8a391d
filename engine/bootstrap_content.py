"""Composition root for the content feature: wires its adapters into the engine.

Nothing here opens a content or identity keyring: they are opened on first use, so the timer worker
starts and sweeps with only the workflow keyring (issue 4, point 2).
"""

from __future__ import annotations

from engine.adapters import schema_content  # noqa: F401 - registers the tables in `metadata`
from engine.adapters.content_sealing import CheckedStateSealer, ContentConfig, ContentCrypto, KeyAccess
from engine.adapters.sql_content import SqlContent, SqlIdentity
from engine.adapters.sql_uow import register_repository


def wire(engine, settings, db) -> None:
    """Register the content repositories and the lazy content crypto collaborators."""
    register_repository("content", SqlContent)
    register_repository("identity", SqlIdentity)
    rt = engine.rt
    if not isinstance(rt.sealer, CheckedStateSealer):
        rt.sealer = CheckedStateSealer(rt.sealer)
    access = KeyAccess(settings.keys_path, rt.sealer.keyring)
    rt.extras["content.keys"] = access
    rt.extras["content.crypto"] = ContentCrypto(access, ContentConfig())
