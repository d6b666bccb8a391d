"""The sandbox for BPMN expressions and scripts (SECURITY.md 13).

SpiffWorkflow's default environment calls Python's `eval`/`exec` on text from the BPMN file.
probidad replaces it. Source is parsed and checked against an AST allow-list: no imports, no
function definitions, lambdas, classes, `while`, `try`, `with` or starred arguments; no name or
attribute starting with `_`; attributes only as calls of a few safe methods; no `eval`, `exec`,
`open`, `getattr`, `type`, ... It then runs with a tiny set of builtins, under a step budget and a
wall-clock limit (sys.settrace), and with guarded operators, methods, f-string fields and
comparisons (see `sandbox_guards`), so that `10**10**10`, `[0] * 10**9`, `s = s + s` in a loop or
`f"{x:>999999999}"` fail fast instead of exhausting the machine.
"""

from __future__ import annotations

import ast
import functools
import sys
from collections.abc import Mapping
from typing import Any

from engine.errors import SandboxViolation
from engine.workflow import sandbox_guards
from engine.workflow.sandbox_cost import cost_problems
from engine.workflow.sandbox_guards import (
    MAX_INT_BITS,
    MAX_SECONDS,
    MAX_SEQUENCE,
    MAX_STEPS,
    Budget,
    Guards,
    check_plain,
    format_spec_problem,
    measure,
)

__all__ = [
    "MAX_INT_BITS", "MAX_SECONDS", "MAX_SEQUENCE", "MAX_SOURCE", "MAX_STEPS", "SAFE_BUILTINS", "SAFE_METHODS",
    "SandboxViolation", "check_source", "compile_checked", "evaluate", "execute", "run_sandboxed",
]

MAX_SOURCE = 10_000
MAX_AST_DEPTH = 60

SAFE_BUILTINS: dict[str, Any] = {
    "len": len, "min": min, "max": max, "abs": abs, "round": round, "sum": sum, "sorted": sorted,
    "str": str, "int": int, "float": float, "bool": bool, "list": list, "dict": dict, "set": set,
    "tuple": tuple, "any": any, "all": all, "range": range, "None": None, "True": True, "False": False,
}
SAFE_METHODS = frozenset({
    "get", "keys", "values", "items", "lower", "upper", "strip", "startswith", "endswith",
    "split", "join", "replace", "append", "count", "index", "isoformat",
})
_ALLOWED_NODES = (
    ast.Module, ast.Expression, ast.Expr, ast.Assign, ast.AugAssign, ast.Name,
    ast.Load, ast.Store, ast.Del, ast.Constant, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not,
    ast.USub, ast.UAdd, ast.BinOp, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod,
    ast.Pow, ast.Compare, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn,
    ast.Is, ast.IsNot, ast.IfExp, ast.If, ast.For, ast.Break, ast.Continue, ast.Pass, ast.Call,
    ast.keyword, ast.List, ast.Tuple, ast.Dict, ast.Set, ast.Subscript, ast.Slice, ast.Attribute,
    ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.comprehension, ast.JoinedStr,
    ast.FormattedValue, ast.Delete,
)
_FORBIDDEN_CALLS = frozenset({
    "eval", "exec", "compile", "open", "getattr", "setattr", "delattr", "globals", "locals", "vars",
    "type", "__import__", "input", "breakpoint", "help", "dir", "memoryview", "object", "super",
})


def check_source(source: str, mode: str = "eval") -> list[str]:
    """Return every reason this expression (mode 'eval') or script ('exec') is refused."""
    if not isinstance(source, str):
        return ["not text"]
    if len(source) > MAX_SOURCE:
        return [f"longer than {MAX_SOURCE} characters"]
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError as exc:
        return [f"syntax error: {exc.msg} (line {exc.lineno})"]
    except (ValueError, RecursionError, MemoryError):
        return ["cannot be parsed (nested too deeply or contains NUL)"]
    if _depth(tree) > MAX_AST_DEPTH:
        return [f"nested more than {MAX_AST_DEPTH} levels deep"]
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    problems: list[str] = []
    for node in ast.walk(tree):
        problems.extend(_node_problems(node, called))
    problems.extend(cost_problems(tree))
    return sorted(set(problems))


def _depth(tree: ast.AST) -> int:
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth <= MAX_AST_DEPTH:
            stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


def _node_problems(node: ast.AST, called: set[int]) -> list[str]:  # noqa: C901, PLR0911 - one rule per line
    if isinstance(node, ast.Import | ast.ImportFrom):
        return ["imports are not allowed"]
    if not isinstance(node, _ALLOWED_NODES):
        return [f"'{type(node).__name__}' is not allowed"]
    if isinstance(node, ast.Name) and node.id.startswith("_"):
        return [f"name '{node.id}' is not allowed (names may not start with '_')"]
    if isinstance(node, ast.Attribute):
        return _attribute_problems(node, called)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FORBIDDEN_CALLS:
        return [f"'{node.func.id}' is not allowed"]
    if isinstance(node, ast.AugAssign) and not isinstance(node.target, ast.Name):
        return ["augmented assignment (+=, ...) is only allowed on a plain name"]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and _is_text(node.left):
        return ["'%' string formatting is not allowed (use an f-string)"]
    if isinstance(node, ast.FormattedValue) and isinstance(node.format_spec, ast.JoinedStr):
        spec = "".join(str(v.value) for v in node.format_spec.values if isinstance(v, ast.Constant))
        problem = format_spec_problem(spec)
        return [problem] if problem else []
    return []


def _attribute_problems(node: ast.Attribute, called: set[int]) -> list[str]:
    if node.attr.startswith("_") or node.attr not in SAFE_METHODS:
        return [f"attribute '.{node.attr}' is not allowed"]
    if id(node) not in called or not isinstance(node.ctx, ast.Load):
        return [f"'.{node.attr}' may only be called as a method"]
    return []


def _is_text(node: ast.AST) -> bool:
    return isinstance(node, ast.JoinedStr) or isinstance(node, ast.Constant) and isinstance(node.value, str | bytes)


def _call(name: str, *args: ast.expr) -> ast.Call:
    return ast.Call(func=ast.Name(id=name, ctx=ast.Load()), args=list(args), keywords=[])


def _checked(node: ast.expr) -> ast.expr:
    return node if isinstance(node, ast.Constant | ast.Slice) else _call("_sb_chk", node)


class _Guard(ast.NodeTransformer):
    """Rewrite size-sensitive operations into calls of the run's guards (`_sb_*`)."""

    _OPS = {ast.Add: "_sb_add", ast.Mult: "_sb_mul", ast.Pow: "_sb_pow", ast.Mod: "_sb_mod"}

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        helper = self._OPS.get(type(node.op))
        return node if helper is None else ast.copy_location(_call(helper, node.left, node.right), node)

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:
        self.generic_visit(node)
        helper = self._OPS.get(type(node.op))
        if helper is None or not isinstance(node.target, ast.Name):
            return node
        value = _call(helper, ast.Name(id=node.target.id, ctx=ast.Load()), node.value)
        return ast.copy_location(ast.Assign(targets=[node.target], value=value), node)

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if not isinstance(node.func, ast.Attribute):
            return node
        call = _call("_sb_method", node.func.value, ast.Constant(node.func.attr), *node.args)
        call.keywords = node.keywords
        return ast.copy_location(call, node)

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.AST:
        self.generic_visit(node)
        spec = node.format_spec if node.format_spec is not None else ast.Constant("")
        call = _call("_sb_fmt", node.value, ast.Constant(node.conversion), spec)
        return ast.copy_location(ast.FormattedValue(value=call, conversion=-1, format_spec=None), node)

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        self.generic_visit(node)
        if all(isinstance(op, ast.Is | ast.IsNot) for op in node.ops):
            return node
        node.left = _checked(node.left)
        node.comparators = [_checked(c) for c in node.comparators]
        return node

    def visit_Set(self, node: ast.Set) -> ast.AST:
        self.generic_visit(node)
        node.elts = [_checked(e) for e in node.elts]
        return node

    def visit_Dict(self, node: ast.Dict) -> ast.AST:
        self.generic_visit(node)
        node.keys = [None if k is None else _checked(k) for k in node.keys]
        return node

    def visit_SetComp(self, node: ast.SetComp) -> ast.AST:
        self.generic_visit(node)
        node.elt = _checked(node.elt)
        return node

    def visit_DictComp(self, node: ast.DictComp) -> ast.AST:
        self.generic_visit(node)
        node.key = _checked(node.key)
        return node

    def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
        self.generic_visit(node)
        node.slice = _checked(node.slice)
        return node


@functools.lru_cache(maxsize=512)
def compile_checked(source: str, mode: str) -> Any:
    """Check and compile source for the sandbox; raise SandboxViolation with every reason."""
    problems = check_source(source, mode)
    if problems:
        raise SandboxViolation("; ".join(problems))
    try:
        tree = ast.fix_missing_locations(_Guard().visit(ast.parse(source, mode=mode)))
        return compile(tree, "<sandbox>", mode)
    except (RecursionError, MemoryError, ValueError):
        raise SandboxViolation("expression too complex") from None


def run_sandboxed(code: Any, namespace: dict[str, Any], mode: str, max_steps: int | None = None,
                  max_seconds: float | None = None) -> Any:
    """Run compiled sandbox code in `namespace` under the step, time and allocation budget.

    The limits default to `sandbox_guards.MAX_STEPS` and `MAX_SECONDS`, read at call time.
    """
    budget = Budget(max_steps if max_steps is not None else sandbox_guards.MAX_STEPS,
                    max_seconds if max_seconds is not None else sandbox_guards.MAX_SECONDS)
    guards = Guards(budget)
    namespace["__builtins__"] = guards.builtins(SAFE_BUILTINS)
    namespace.update(guards.names())
    previous = sys.gettrace()
    sys.settrace(budget)
    try:
        if mode == "eval":
            return eval(code, namespace)  # noqa: S307 - code passed the AST allow-list above  # nosec B307
        exec(code, namespace)  # noqa: S102 - code passed the AST allow-list above  # nosec B102
        return None
    except SandboxViolation:
        raise
    except RecursionError:
        raise SandboxViolation("recursion too deep") from None
    except MemoryError:
        raise SandboxViolation("allocation too large") from None
    finally:
        sys.settrace(previous)


def evaluate(source: str, data: Mapping[str, Any], helpers: Mapping[str, Any]) -> Any:
    """Evaluate an expression against task data and helpers, in the sandbox."""
    code = compile_checked(source, "eval")
    namespace = dict(helpers)
    namespace.update(data)
    result = run_sandboxed(code, namespace, "eval")
    measure(result)
    return result


def execute(source: str, data: dict[str, Any], helpers: Mapping[str, Any]) -> None:
    """Execute a script that reads and writes task data, in the sandbox.

    Only plain, bounded values (text, numbers, booleans, dates, lists, dicts) go back into the
    task data; anything else is refused before the data changes.
    """
    code = compile_checked(source, "exec")
    namespace = dict(helpers)
    namespace.update(data)
    run_sandboxed(code, namespace, "exec")
    results = {}
    for key, value in namespace.items():
        if key.startswith("_") or key in helpers or callable(value):
            continue
        check_plain(key, value)
        results[key] = value
    data.update(results)
    for key in [k for k in data if k not in namespace]:
        del data[key]
