"""SpiffWorkflow's script engine, rewired to run every expression and script in the sandbox."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from engine.workflow import sandbox

MAX_RUNS = 250


class SandboxEnvironment(BasePythonScriptEngineEnvironment):
    """A script environment whose evaluate/execute never call bare eval/exec.

    One environment serves one engine operation (start, complete, tick); it allows at most
    MAX_RUNS expressions and scripts, so a BPMN loop of script tasks and gateways that never waits
    for a person or a timer stops with a clear error instead of spinning forever.
    """

    def __init__(self, helpers: Mapping[str, Callable[..., Any]], max_runs: int = MAX_RUNS):
        super().__init__({})
        self.helpers = dict(helpers)
        self.runs_left = max_runs

    def _count(self) -> None:
        self.runs_left -= 1
        if self.runs_left < 0:
            raise sandbox.SandboxViolation("too many scripts and conditions in one step (a loop that never waits?)")

    def evaluate(self, expression: str, context: dict, external_context: dict | None = None) -> Any:
        """Evaluate a gateway condition, timer or payload expression in the sandbox."""
        self._count()
        data = dict(context)
        data.update(external_context or {})
        return sandbox.evaluate(expression, data, self.helpers)

    def execute(self, script: str, context: dict, external_context: dict | None = None) -> bool:
        """Run a script task in the sandbox; it may change task data."""
        self._count()
        sandbox.execute(script, context, self.helpers)
        return True

    def call_service(self, context: dict, **kwargs: Any) -> Any:
        """Service tasks are not available to BPMN authors."""
        raise sandbox.SandboxViolation("service tasks are not supported")


def _element(task: Any) -> str:
    spec = getattr(task, "task_spec", None)
    return str(getattr(spec, "bpmn_id", None) or getattr(spec, "name", "?"))


def _violation(exc: BaseException) -> sandbox.SandboxViolation | None:
    """The sandbox violation behind a SpiffWorkflow error, if that is what it is."""
    if isinstance(exc, sandbox.SandboxViolation):
        return exc
    for inner in (getattr(exc, "exception", None), exc.__cause__, exc.__context__):
        if isinstance(inner, sandbox.SandboxViolation):
            return inner
    return None


class ProbidadScriptEngine(PythonScriptEngine):
    """The script engine given to every workflow: sandboxed, and aware of the engine's clock.

    A sandbox violation is re-raised as a plain SandboxViolation naming the BPMN element
    ("... at 'element_id'"), so the caller can show where the diagram is wrong.
    """

    def __init__(self, helpers: Mapping[str, Callable[..., Any]], now: Callable[[], datetime]):
        super().__init__(environment=SandboxEnvironment(helpers))
        self.now = now

    def validate(self, expression: str) -> None:
        """Refuse a forbidden expression before it runs."""
        problems = sandbox.check_source(expression, "eval")
        if problems:
            raise sandbox.SandboxViolation("; ".join(problems))

    def evaluate(self, task: Any, expression: str, external_context: dict | None = None) -> Any:
        """Evaluate an expression for a task; violations name the element."""
        try:
            return super().evaluate(task, expression, external_context)
        except (sandbox.SandboxViolation, WorkflowTaskException) as exc:
            violation = _violation(exc)
            if violation is None:
                raise
            raise sandbox.SandboxViolation(f"{violation} at '{_element(task)}'") from None

    def execute(self, task: Any, script: str, external_context: dict | None = None) -> Any:
        """Run a script for a task; violations name the element."""
        try:
            return super().execute(task, script, external_context)
        except (sandbox.SandboxViolation, WorkflowTaskException) as exc:
            violation = _violation(exc)
            if violation is None:
                raise
            raise sandbox.SandboxViolation(f"{violation} at '{_element(task)}'") from None
