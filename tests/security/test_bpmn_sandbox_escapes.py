"""More sandbox escapes (SECURITY.md 13), beyond tests/security/test_bpmn_attacks.py's import, mro,
open, loops and allocation bombs: the forbidden builtins (eval, exec, compile, getattr, globals,
vars, type, setattr, breakpoint), frame and closure walks, format-string attribute access, dunder
names hidden in strings, and helper introspection. Each is rejected at validation (check_source,
what `probidad bpmn validate` runs) and, independently, at run time (evaluate/execute), and leaves
no file behind.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import SandboxViolation
from engine.workflow.sandbox import check_source, evaluate, execute

# A fixed name so that parametrized test ids are the same in every pytest-xdist worker.
PWNED = Path("/tmp/probidad-escape-marker")

ESCAPES = [
    f"eval(\"__import__('os').system('touch {PWNED}')\")",
    f"exec(\"open('{PWNED}', 'w')\")",
    "compile('1', 'x', 'eval')",
    "getattr(x, '__class__')",
    "globals()",
    "vars()",
    "locals()",
    "type(x)",
    "setattr(x, 'y', 1)",
    "breakpoint()",
    "__builtins__",
    "x.__class__",
    "(lambda: 1).__globals__",
    "(i for i in []).gi_frame.f_globals",
    "'{0.__class__.__mro__}'.format(x)",
    "'{0.__init__.__globals__}'.format(sla_due)",
    "'%(a)s' % {'a': x}.__class__",
    "sla_due.__globals__",
    "sla_due.__code__",
    "[c for c in ().__class__.__base__.__subclasses__()]",
    "memoryview(b'x')",
    "input()",
    "help()",
    "__loader__",
    "__spec__",
]
SCRIPT_ESCAPES = [
    "import os",
    "from os import system",
    "def f():\n    return f.__globals__",
    "class X:\n    pass",
    "global y\ny = 1",
    "try:\n    1/0\nexcept Exception as e:\n    t = e.__traceback__",
    "with open('/etc/passwd') as f:\n    x = f.read()",
    "async def f():\n    pass",
    "x = [1]\nwhile True:\n    x = x + x",
]


@pytest.mark.parametrize("source", ESCAPES)
def test_expression_escapes_fail_validation_and_run_time(source):
    assert check_source(source, "eval"), source
    with pytest.raises(SandboxViolation):
        evaluate(source, {"x": 1}, {"sla_due": lambda *_: "2025-01-01T00:00:00+00:00"})
    assert not PWNED.exists()


@pytest.mark.parametrize("source", SCRIPT_ESCAPES)
def test_script_escapes_fail_validation_and_run_time(source):
    assert check_source(source, "exec"), source
    with pytest.raises(SandboxViolation):
        execute(source, {"x": 1}, {})
    assert not PWNED.exists()


@pytest.mark.parametrize("name", ["bytearray", "bytes", "object", "super", "classmethod", "staticmethod", "property",
                                  "open", "exit", "quit", "print", "dir", "id", "hash", "iter", "next"])
def test_builtins_outside_the_allow_list_do_not_exist_at_run_time(name):
    """Unknown names may be workflow data, so validation lets them through; at run time they are absent."""
    with pytest.raises((NameError, SandboxViolation)):
        evaluate(f"{name}(1)", {}, {})


def test_the_sandbox_still_runs_plain_expressions():
    """So every rejection above is caused by the escape, not by a sandbox that refuses everything."""
    assert check_source("x + 1 if x > 0 else 0", "eval") == []
    assert evaluate("x + 1 if x > 0 else 0", {"x": 1}, {}) == 2
    data = {"x": 1}
    execute("y = x * 2\nz = [i for i in range(3)]", data, {})
    assert data["y"] == 2 and data["z"] == [0, 1, 2]
