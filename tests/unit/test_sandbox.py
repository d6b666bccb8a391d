"""The expression and script sandbox (SECURITY.md 13): what runs, and what is refused and why."""

from __future__ import annotations

import time

import pytest

from engine.errors import SandboxViolation
from engine.workflow import sandbox, sandbox_guards
from engine.workflow.sandbox_guards import MAX_SEQUENCE, measure


@pytest.fixture
def patient(monkeypatch):
    """A generous wall clock, so that a loaded CI machine still reports the guard under test."""
    monkeypatch.setattr(sandbox_guards, "MAX_SECONDS", 60.0)

HELPERS = {"today": lambda: "2025-03-03", "now_iso": lambda: "2025-03-03T15:00:00+00:00",
           "sla_due": lambda policy, start=None: f"due:{policy}"}


def ev(source: str, **data):
    return sandbox.evaluate(source, data, HELPERS)


def ex(source: str, **data) -> dict:
    sandbox.execute(source, data, HELPERS)
    return data


# -- allowed ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("source", "data", "expected"), [
    ("1 + 2 * 3", {}, 7),
    ("admissibility == 'admissible'", {"admissibility": "admissible"}, True),
    ("a and not b", {"a": True, "b": False}, True),
    ("x in ('a', 'b')", {"x": "b"}, True),
    ("'st_pad' in route_targets", {"route_targets": ["st_pad", "oci"]}, True),
    ("len(items) > 1", {"items": [1, 2]}, True),
    ("sla_due('denuncia.acuse')", {}, "due:denuncia.acuse"),
    ("today().startswith('2025')", {}, True),
    ("{'origin': 'denuncia', 'when': today()}", {}, {"origin": "denuncia", "when": "2025-03-03"}),
    ("f'{n:>5}'", {"n": 42}, "   42"),
    ("f'{n!r}'", {"n": "x"}, "'x'"),
    ("f'{n:.2f}'", {"n": 1.5}, "1.50"),
    ("sorted(xs, reverse=True)", {"xs": [2, 3, 1]}, [3, 2, 1]),
    ("max(xs)", {"xs": [2, 3, 1]}, 3),
    ("min(3, 1, 2)", {}, 1),
    ("sum(xs)", {"xs": [1, 2, 3]}, 6),
    ("sum(x for x in xs if x > 1)", {"xs": [1, 2, 3]}, 5),
    ("[x * 2 for x in xs]", {"xs": [1, 2]}, [2, 4]),
    ("{x: x for x in 'ab'}", {}, {"a": "a", "b": "b"}),
    ("', '.join(xs)", {"xs": ["a", "b"]}, "a, b"),
    ("s.replace('a', 'b')", {"s": "aa"}, "bb"),
    ("s.split(',')", {"s": "a,b"}, ["a", "b"]),
    ("d.get('k', 0)", {"d": {}}, 0),
    ("list(range(3))", {}, [0, 1, 2]),
    ("dict(a=1)", {}, {"a": 1}),
    ("set([1, 1])", {}, {1}),
    ("2 ** 100", {}, 2**100),
    ("'ab' * 3", {}, "ababab"),
    ("7 % 3", {}, 1),
    ("x if x else 'none'", {"x": ""}, "none"),
    ("s[::-1]", {"s": "abc"}, "cba"),
    ("str(12)", {}, "12"),
    ("int('12') + float('0.5')", {}, 12.5),
])
def test_allowed_expressions_evaluate(source, data, expected):
    assert ev(source, **data) == expected


def test_script_reads_and_writes_task_data():
    data = ex("received_on = today()\ncount = count + 1\ntags.append('x')\nif count > 1:\n    flag = True",
              count=1, tags=[])
    assert data == {"received_on": "2025-03-03", "count": 2, "tags": ["x"], "flag": True}


def test_script_augmented_assignment_on_names_is_guarded_but_works():
    assert ex("s = 'a'\ns += 'b'\nn = 3\nn *= 2\nn **= 2") == {"s": "ab", "n": 36}


def test_script_del_removes_a_key():
    assert ex("del tmp", tmp=1, keep=2) == {"keep": 2}


def test_script_loops_and_break():
    assert ex("total = 0\nfor i in range(10):\n    if i == 5:\n        break\n    total += i") == {"total": 10, "i": 5}


# -- refused before running ------------------------------------------------------------------

@pytest.mark.parametrize(("source", "reason"), [
    ("__import__('os')", "not allowed"),
    ("().__class__.__mro__", "'.__class__' is not allowed"),
    ("''.__class__.__base__.__subclasses__()", "is not allowed"),
    ("open('/etc/passwd')", "'open' is not allowed"),
    ("eval('1')", "'eval' is not allowed"),
    ("exec('x=1')", "'exec' is not allowed"),
    ("compile('1', 'f', 'eval')", "'compile' is not allowed"),
    ("getattr(x, 'y')", "'getattr' is not allowed"),
    ("globals()", "'globals' is not allowed"),
    ("vars()", "'vars' is not allowed"),
    ("type(x)", "'type' is not allowed"),
    ("lambda: 1", "'Lambda' is not allowed"),
    ("x.format(1)", "'.format' is not allowed"),
    ("x.__len__()", "'.__len__' is not allowed"),
    ("_private", "names may not start with '_'"),
    ("__builtins__", "names may not start with '_'"),
    ("s.join", "may only be called as a method"),
    ("[*xs]", "'Starred' is not allowed"),
    ("f(**kw)" if False else "(yield 1)", "is not allowed"),
    ("x := 1", "syntax error"),
    ("(x := 1)", "'NamedExpr' is not allowed"),
    ("'%999999999d' % 1", "'%' string formatting is not allowed"),
    ("f'{x:>999999999}'", "format width or precision above"),
    ("f'{x:.99999}'", "format width or precision above"),
    ("a @ b", "'MatMult' is not allowed"),
    ("1 << 10", "'LShift' is not allowed"),
    ("~1", "'Invert' is not allowed"),
    ("x" * (sandbox.MAX_SOURCE + 1), "longer than"),
    ("[" * 70 + "1" + "]" * 70, "nested"),
])
def test_forbidden_expressions_are_refused_by_the_static_check(source, reason):
    problems = sandbox.check_source(source, "eval")
    assert any(reason in p for p in problems), problems
    with pytest.raises(SandboxViolation):
        ev(source, x="a", xs=[1], s="a", a=1, b=2)


@pytest.mark.parametrize(("source", "reason"), [
    ("while True:\n    pass", "'While' is not allowed"),
    ("import os", "imports are not allowed"),
    ("from os import system", "imports are not allowed"),
    ("def f():\n    return 1", "'FunctionDef' is not allowed"),
    ("class A:\n    pass", "'ClassDef' is not allowed"),
    ("try:\n    x = 1\nexcept Exception:\n    pass", "'Try' is not allowed"),
    ("with open('f') as fh:\n    pass", "'With' is not allowed"),
    ("global x", "'Global' is not allowed"),
    ("raise ValueError", "'Raise' is not allowed"),
    ("assert False", "'Assert' is not allowed"),
    ("d['k'] += 'x'", "only allowed on a plain name"),
    ("x.append = 1", "may only be called as a method"),
    ("async def f():\n    pass", "'AsyncFunctionDef' is not allowed"),
])
def test_forbidden_statements_are_refused(source, reason):
    assert any(reason in p for p in sandbox.check_source(source, "exec"))
    with pytest.raises(SandboxViolation):
        ex(source, d={}, x=[])


def test_every_reason_is_reported_at_once():
    problems = sandbox.check_source("__import__('os') or open('f') or x.__class__", "eval")
    assert len(problems) >= 3


def test_syntax_errors_are_reported_not_raised():
    assert sandbox.check_source("1 +", "eval")[0].startswith("syntax error")
    assert sandbox.check_source("a\x00b", "eval")


# -- refused while running (budgets and guards) ----------------------------------------------

@pytest.mark.parametrize(("source", "reason"), [
    ("10**10**10", "number too large"),
    ("2**5000", "number too large"),
    ("(2**4000) * (2**4000)", "number too large"),
    ("'x' * 10**10", "allocation too large"),
    ("[0] * 10**9", "allocation too large"),
    ("10**9 * [0]", "allocation too large"),
    ("range(10**9)", "range too large"),
    ("sorted(range(10**9))", "range too large"),
    ("''.join(['x' * 100000] * 100000)", "allocation too large"),
    ("'a'.replace('', 'x' * 100000)", "allocation too large"),
    ("str([[0] * 100000] * 100000)", "value too large"),
    ("f'{big}'", "value too large"),
    ("[[0] * 100000] * 100000 == [[1] * 100000] * 100000", "value too large"),
    ("{tuple([0] * 100000): 1, tuple([1] * 100000): 2, tuple([2] * 100000): 3}", "value too large"),
    ("sum([[0] * 10] * 10, [])", r"sum\(\) only adds numbers"),
    ("sum(['a', 'b'])", r"sum\(\) only adds numbers"),
    ("fmt % 1", "'%' string formatting is not allowed"),
    ("f'{x:>{w}}'", "format width or precision above"),
    ("str.lower('A')", "may only be called on a value"),
    ("today.get('x')", "may only be called on a value"),
])
def test_costly_expressions_fail_fast(source, reason, patient):
    big = [[0] * 1000] * 1000
    started = time.monotonic()
    with pytest.raises(SandboxViolation, match=reason):
        ev(source, big=big, fmt="%999999999d", x="a", w=10**9)
    assert time.monotonic() - started < 20


@pytest.mark.parametrize(("source", "reason"), [
    ("for i in range(10**9):\n    pass", "range too large"),
    ("for i in range(n):\n    pass", "too many steps"),
    ("for i in range(m):\n    for j in range(m):\n        pass", "too many steps"),
    ("x = [i for i in range(n) for j in range(n)]", "too many steps"),
    ("x = sum(1 for i in range(n))", "too many steps"),
    ("s = 'x' * 100000\nfor i in range(40):\n    s = s + s", "allocation too large"),
    ("s = 'x' * 1000\nfor i in range(40):\n    s += s", "allocation too large"),
    ("l = [0] * 1000\nfor i in range(40):\n    l = l + l", "allocation too large"),
    ("d = {}\nfor i in range(20000):\n    d[i] = [0] * 100000", "allocated too much memory"),
    ("d = {}\nfor i in range(20000):\n    d[i] = list(range(100000))", "allocated too much memory"),
    ("l = []\nfor i in range(60):\n    l = [l, l]\nx = str(l)", "value too large"),
    ("l = []\nfor i in range(18):\n    l = [l, l]\nx = l == [1]", "value too large"),
    ("l = []\nl.append(l)", "nested too deeply"),
    ("r = range(3)", "must be plain data"),
    ("g = (i for i in [1])", "must be plain data"),
    ("v = {}.keys()", "must be plain data"),
])
def test_costly_scripts_fail_fast_and_leave_data_untouched(source, reason, patient):
    data = {"keep": 1, "n": 100000, "m": 10000}
    started = time.monotonic()
    with pytest.raises(SandboxViolation, match=reason):
        sandbox.execute(source, data, HELPERS)
    assert time.monotonic() - started < 20
    assert data == {"keep": 1, "n": 100000, "m": 10000}


@pytest.mark.parametrize(("source", "mode", "reason"), [
    ("10**10**10", "eval", "number too large"),
    ("'x' * 10**10", "eval", "allocation too large"),
    ("[0] * 10**9", "eval", "allocation too large"),
    ("sorted(range(10**9))", "eval", "range too large"),
    ("sum(1 for i in range(10**9))", "eval", "range too large"),
    ("len([1 for i in range(10**4) for j in range(10**4)])", "eval", "loops would run 100000000 times"),
    ("for i in range(10**9):\n    pass", "exec", "range too large"),
    ("for i in range(100000):\n    pass", "exec", "loops would run 100000 times"),
    ("for i in range(10**4):\n    for j in range(10**4):\n        pass", "exec", "loops would run"),
])
def test_certain_overruns_are_found_without_running(source, mode, reason):
    problems = sandbox.check_source(source, mode)
    assert any(reason in p and p.startswith("too costly") for p in problems), problems


@pytest.mark.parametrize("source", ["2**4000", "'x' * 1000", "range(100)", "x * 10**9", "1 / 0",
                                    "[i for i in range(100) for j in range(100)]"])
def test_cost_check_accepts_what_fits(source):
    assert sandbox.check_source(source, "eval") == []


def test_wall_clock_limit_stops_a_run():
    code = sandbox.compile_checked("for i in range(1000):\n    pass", "exec")
    with pytest.raises(SandboxViolation, match="took too long"):
        sandbox.run_sandboxed(code, {}, "exec", max_seconds=-1)


def test_default_wall_clock_applies_to_evaluate(monkeypatch):
    monkeypatch.setattr(sandbox_guards, "MAX_SECONDS", -1)
    with pytest.raises(SandboxViolation, match="took too long"):
        ev("1 + 1")


def test_step_budget_is_configurable():
    code = sandbox.compile_checked("for i in range(50):\n    pass", "exec")
    sandbox.run_sandboxed(code, {}, "exec", max_steps=1000)
    with pytest.raises(SandboxViolation, match="too many steps"):
        sandbox.run_sandboxed(code, {}, "exec", max_steps=10)


def test_trace_function_is_restored_after_a_violation():
    import sys

    before = sys.gettrace()
    with pytest.raises(SandboxViolation):
        ev("10**10**10")
    assert sys.gettrace() is before


def test_builtins_are_only_the_safe_ones():
    for name in ("open", "print", "__import__", "getattr", "type", "object", "exit", "quit", "id", "hash"):
        with pytest.raises((NameError, SandboxViolation)):
            ev(f"{name}")


def test_helpers_cannot_be_modified_or_inspected():
    with pytest.raises(SandboxViolation):
        ex("today.append = 1")
    with pytest.raises(SandboxViolation):
        ev("today.__globals__")


def test_results_are_measured():
    with pytest.raises(SandboxViolation, match="value too large"):
        ev("[xs] * 1000", xs=[0] * 1000)


def test_measure_counts_shared_references_each_time():
    inner = [0] * 100
    assert measure([inner, inner]) > 200
    with pytest.raises(SandboxViolation):
        measure([inner] * MAX_SEQUENCE)
