"""The engine's error tree. Every error a caller may see derives from ProbidadError.

    ProbidadError
    ├── InvalidInput            bad data from a user or a file (exit 1 in the CLI)
    │   ├── InvalidBpmn         a BPMN file that fails parsing, safety or validation (carries problems)
    │   ├── DisallowedTaskData  a task-data key outside the workflow's allow-list
    │   └── FormInvalid         a form submission that fails validation (carries field errors)
    ├── NotFound                an unknown process, case, task, user or policy
    ├── AccessDenied            the actor may not do this
    ├── StaleCase               the case changed since it was read: reload
    ├── Conflict                the request cannot be applied in the current state (e.g. task not ready)
    ├── SandboxViolation        a script or expression tried something forbidden or too costly
    ├── ConfigurationError      settings that are missing or unsafe (production refuses to start)
    └── StoreError              persistence failed (wrapped, no content in the message)
        └── DecryptionError     stored ciphertext or a wrapped key did not open (tampered, moved, shredded)

Messages never carry case content: ids, element ids and plain explanations only.
"""

from __future__ import annotations

from dataclasses import dataclass


class ProbidadError(Exception):
    """Root of every error raised by probidad's engine."""


class InvalidInput(ProbidadError):
    """Input from a user or a file that cannot be accepted."""


@dataclass(frozen=True)
class Problem:
    """One validation problem: where it is and what is wrong, in plain words."""

    file: str
    element_id: str | None
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.file}"
        if self.element_id:
            where += f" [{self.element_id}]"
        return f"{where}: {self.message}"


class InvalidBpmn(InvalidInput):
    """A BPMN document that fails XML safety, parsing or validation."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems) or "invalid BPMN")


class DisallowedTaskData(InvalidInput):
    """Task data with keys that the workflow definition does not allow into workflow state."""

    def __init__(self, keys: list[str], process_id: str):
        self.keys = sorted(keys)
        super().__init__(
            f"task data keys not allowed in process '{process_id}': {', '.join(self.keys)}"
            " (content belongs in the content store, not in workflow state)"
        )


class FormInvalid(InvalidInput):
    """A form submission with field errors."""

    def __init__(self, errors: dict[str, str]):
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


class NotFound(ProbidadError):
    """An unknown process, case, task, user or policy."""


class AccessDenied(ProbidadError):
    """The actor is not allowed to perform this action."""


class StaleCase(ProbidadError):
    """The case changed since it was read; the caller must reload."""

    def __init__(self, case_id: str):
        self.case_id = case_id
        super().__init__(f"the case {case_id} changed, reload")


class Conflict(ProbidadError):
    """The request cannot be applied in the current state."""


class SandboxViolation(ProbidadError):
    """A script or expression used a forbidden construct or exceeded its limits."""


class ConfigurationError(ProbidadError):
    """Settings are missing or unsafe."""


class StoreError(ProbidadError):
    """Persistence failed."""


class DecryptionError(StoreError):
    """Stored ciphertext or a wrapped key failed to open: tampered, moved, or its key was destroyed.

    Raised from keys.errors.DecryptionFailed (or a retired key); the message names the case and
    object only, never content or key material (SECURITY.md test 4).
    """
