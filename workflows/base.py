"""WorkflowDefinition: what a process brings to the engine besides its BPMN.

Each module in `workflows/` (denuncia, proteccion, pad, control_concurrente) exposes one
`DEFINITION`. The definition lists its BPMN files, a form per user task, the task-data
allow-list (the only keys that may enter workflow state: flags, ids, decisions, dates), the SLA
policies its timers use, and the messages that start linked processes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from engine.domain.forms import Form

BPMN_DIR = Path(__file__).resolve().parent.parent / "bpmn"
POLICY_FILE = Path(__file__).resolve().parent / "policies.toml"


def _frozen(mapping: Mapping | None) -> Mapping:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class WorkflowDefinition:
    """Everything the engine needs to run one process besides the BPMN itself."""

    process_id: str
    title_es: str
    title_en: str
    bpmn_files: tuple[Path, ...]
    forms: Mapping[str, Form] = field(default_factory=lambda: MappingProxyType({}))
    data_keys: frozenset[str] = frozenset()
    policies: tuple[str, ...] = ()
    start_form: str | None = None
    start_messages: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    status_labels: Mapping[str, tuple[str, str]] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        object.__setattr__(self, "forms", _frozen(self.forms))
        object.__setattr__(self, "start_messages", _frozen(self.start_messages))
        object.__setattr__(self, "status_labels", _frozen(self.status_labels))

    def title(self, lang: str) -> str:
        """The process title in the given language (es default)."""
        return self.title_en if lang == "en" else self.title_es

    def form(self, form_id: str) -> Form | None:
        """The form with this id, or None."""
        return self.forms.get(form_id)

    def disallowed_keys(self, data: Mapping) -> list[str]:
        """Keys of `data` that may not enter workflow state."""
        return sorted(k for k in data if k not in self.data_keys)


def bpmn_path(name: str) -> Path:
    """Path of a bundled BPMN file in `bpmn/`."""
    return BPMN_DIR / name
