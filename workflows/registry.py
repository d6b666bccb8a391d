"""The bundled workflow definitions, discovered without side effects at import time."""

from __future__ import annotations

import importlib

from workflows.base import WorkflowDefinition

BUNDLED_MODULES = ("denuncia", "proteccion", "pad", "control_concurrente")


def bundled_definitions() -> list[WorkflowDefinition]:
    """Load the DEFINITION of every bundled process module that exists."""
    definitions = []
    for name in BUNDLED_MODULES:
        try:
            module = importlib.import_module(f"workflows.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"workflows.{name}":
                continue
            raise
        definitions.append(module.DEFINITION)
    return definitions
