"""Static cost checks: what the sandbox would refuse at run time, found before deploy.

The run-time guards are the authority; this module lets validation reject the obvious cases
(`10**10**10`, `'x' * 10**10`, `range(10**9)`, nested loops over constant ranges that cannot fit in
the step budget) without executing anything. Constant sub-expressions are folded with the same
guards the sandbox uses, so the verdicts agree.
"""

from __future__ import annotations

import ast
from typing import Any

from engine.errors import SandboxViolation
from engine.workflow.sandbox_guards import MAX_STEPS, Budget, Guards

_MAX_LITERAL_ITEMS = 100


class _NotConstant(Exception):
    """The expression depends on data: nothing to say statically."""


def cost_problems(tree: ast.AST) -> list[str]:
    """Reasons a parsed expression or script is certain to exceed the sandbox's limits."""
    problems: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp | ast.Call):
            try:
                _const(node)
            except SandboxViolation as exc:
                problems.add(f"too costly: {exc}")
            except (_NotConstant, ArithmeticError, TypeError, ValueError, RecursionError, MemoryError):
                continue
    _loops(tree, 1, problems)
    return sorted(problems)


def _const(node: ast.AST) -> Any:  # noqa: C901, PLR0911 - one case per node type
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float | str | bytes | bool):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _const(node.operand)
        return -value if isinstance(node.op, ast.USub) else +value
    if isinstance(node, ast.BinOp):
        return _binop(node)
    if isinstance(node, ast.Tuple | ast.List) and len(node.elts) <= _MAX_LITERAL_ITEMS:
        return [_const(e) for e in node.elts]
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "range"
            and not node.keywords):
        return _guards().range(*[_const(a) for a in node.args])
    raise _NotConstant


def _guards() -> Guards:
    return Guards(Budget(max_steps=MAX_STEPS, max_seconds=3600.0))


def _binop(node: ast.BinOp) -> Any:
    left, right = _const(node.left), _const(node.right)
    guards = _guards()
    if isinstance(node.op, ast.Add):
        return guards.add(left, right)
    if isinstance(node.op, ast.Mult):
        return guards.mul(left, right)
    if isinstance(node.op, ast.Pow):
        return guards.pow(left, right)
    if isinstance(node.op, ast.Mod):
        return guards.mod(left, right)
    if isinstance(node.op, ast.Sub):
        return left - right
    if isinstance(node.op, ast.Div):
        return left / right
    if isinstance(node.op, ast.FloorDiv):
        return left // right
    raise _NotConstant


def _iterations(node: ast.AST) -> int:
    """How many times a loop over `node` runs, when that is known statically (else 1)."""
    try:
        value = _const(node)
    except (_NotConstant, SandboxViolation, ArithmeticError, TypeError, ValueError, RecursionError):
        return 1
    return len(value) if isinstance(value, range | str | bytes | list) else 1


def _loops(node: ast.AST, factor: int, problems: set[str]) -> None:
    for child in ast.iter_child_nodes(node):
        inner = factor
        if isinstance(child, ast.For):
            inner = factor * _iterations(child.iter)
        elif isinstance(child, ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp):
            for generator in child.generators:
                inner *= _iterations(generator.iter)
        if inner > MAX_STEPS:
            problems.add(f"too costly: loops would run {inner} times (the limit is {MAX_STEPS} steps)")
            continue
        _loops(child, inner, problems)
