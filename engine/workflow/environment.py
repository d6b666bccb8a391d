"""SpiffWorkflow's script engine, rewired to run every expression and script in the sandbox."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from engine.workflow import sandbox


class SandboxEnvironment(BasePythonScriptEngineEnvironment):
    """A script environment whose evaluate/execute never call bare eval/exec."""

    def __init__(self, helpers: Mapping[str, Callable[..., Any]]):
        super().__init__({})
        self.helpers = dict(helpers)

    def evaluate(self, expression: str, context: dict, external_context: dict | None = None) -> Any:
        """Evaluate a gateway condition, timer or payload expression in the sandbox."""
        data = dict(context)
        data.update(external_context or {})
        return sandbox.evaluate(expression, data, self.helpers)

    def execute(self, script: str, context: dict, external_context: dict | None = None) -> bool:
        """Run a script task in the sandbox; it may change task data."""
        sandbox.execute(script, context, self.helpers)
        return True

    def call_service(self, context: dict, **kwargs: Any) -> Any:
        """Service tasks are not available to BPMN authors."""
        raise sandbox.SandboxViolation("service tasks are not supported")


class ProbidadScriptEngine(PythonScriptEngine):
    """The script engine given to every workflow: sandboxed, and aware of the engine's clock."""

    def __init__(self, helpers: Mapping[str, Callable[..., Any]], now: Callable[[], datetime]):
        super().__init__(environment=SandboxEnvironment(helpers))
        self.now = now

    def validate(self, expression: str) -> None:
        """Refuse a forbidden expression before it runs."""
        problems = sandbox.check_source(expression, "eval")
        if problems:
            raise sandbox.SandboxViolation("; ".join(problems))
