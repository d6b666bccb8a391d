"""probidad's engine. The public API is `__all__`; the web layer and tools use only these names.

Imports are lazy (PEP 562) so that importing `engine.errors` stays cheap and nothing runs at
import time.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "Engine",
    "Settings",
    "build",
    "errors",
    "Problem",
    "ProbidadError",
    "InvalidInput",
    "NotFound",
    "AccessDenied",
    "StaleCase",
    "to_lima",
]

_LAZY = {
    "Engine": ("engine.facade", "Engine"),
    "Settings": ("engine.config", "Settings"),
    "build": ("engine.bootstrap", "build"),
    "errors": ("engine.errors", None),
    "Problem": ("engine.errors", "Problem"),
    "ProbidadError": ("engine.errors", "ProbidadError"),
    "InvalidInput": ("engine.errors", "InvalidInput"),
    "NotFound": ("engine.errors", "NotFound"),
    "AccessDenied": ("engine.errors", "AccessDenied"),
    "StaleCase": ("engine.errors", "StaleCase"),
    "to_lima": ("engine.clock", "to_lima"),
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'engine' has no attribute {name!r}")
    module_name, attr = _LAZY[name]
    # nosemgrep: probidad-dynamic-code - module_name comes from the constant _LAZY table
    module = importlib.import_module(module_name)
    return module if attr is None else getattr(module, attr)


def __dir__() -> list[str]:
    return sorted(__all__)
