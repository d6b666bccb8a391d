"""The sandbox for BPMN expressions and scripts (SECURITY.md 13).

SpiffWorkflow's default environment calls Python's `eval`/`exec` on text from the BPMN file.
probidad replaces it: source is parsed, checked against an AST allow-list (no imports, no
attribute access except a few safe methods, no dunder names, no lambdas or function definitions,
no `while`), run with a tiny set of builtins, under a step budget and with guarded arithmetic so
that `10**10**10` or `[0] * 10**9` fail fast instead of exhausting the machine.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Callable, Mapping
from typing import Any

from engine.errors import SandboxViolation

MAX_STEPS = 20_000
MAX_SEQUENCE = 100_000
MAX_INT_BITS = 4_096
MAX_SOURCE = 10_000

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
    ast.Module, ast.Expression, ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Name,
    ast.Load, ast.Store, ast.Del, ast.Constant, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not,
    ast.USub, ast.UAdd, ast.BinOp, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod,
    ast.Pow, ast.Compare, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn,
    ast.Is, ast.IsNot, ast.IfExp, ast.If, ast.For, ast.Break, ast.Continue, ast.Pass, ast.Call,
    ast.keyword, ast.List, ast.Tuple, ast.Dict, ast.Set, ast.Subscript, ast.Slice, ast.Attribute,
    ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.comprehension, ast.JoinedStr,
    ast.FormattedValue, ast.Delete,
)


def check_source(source: str, mode: str = "eval") -> list[str]:
    """Return every reason this expression (mode 'eval') or script ('exec') is refused."""
    if len(source) > MAX_SOURCE:
        return [f"longer than {MAX_SOURCE} characters"]
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError as exc:
        return [f"syntax error: {exc.msg} (line {exc.lineno})"]
    problems: list[str] = []
    for node in ast.walk(tree):
        problems.extend(_node_problems(node))
    return sorted(set(problems))


def _node_problems(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import | ast.ImportFrom):
        return ["imports are not allowed"]
    if not isinstance(node, _ALLOWED_NODES):
        return [f"'{type(node).__name__}' is not allowed"]
    if isinstance(node, ast.Name) and node.id.startswith("_"):
        return [f"name '{node.id}' is not allowed (names may not start with '_')"]
    if isinstance(node, ast.Attribute) and (node.attr.startswith("_") or node.attr not in SAFE_METHODS):
        return [f"attribute '.{node.attr}' is not allowed"]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FORBIDDEN_CALLS:
        return [f"'{node.func.id}' is not allowed"]
    return []


_FORBIDDEN_CALLS = frozenset({
    "eval", "exec", "compile", "open", "getattr", "setattr", "delattr", "globals", "locals", "vars",
    "type", "__import__", "input", "breakpoint", "help", "dir", "memoryview", "object", "super",
})


class _Guard(ast.NodeTransformer):
    """Rewrite `a * b`, `a ** b` and `a << b` into calls of size-checked helpers."""

    _OPS = {ast.Mult: "_sb_mul", ast.Pow: "_sb_pow", ast.LShift: "_sb_lshift"}

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        helper = self._OPS.get(type(node.op))
        if helper is None:
            return node
        return ast.copy_location(
            ast.Call(func=ast.Name(id=helper, ctx=ast.Load()), args=[node.left, node.right], keywords=[]),
            node,
        )

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:
        self.generic_visit(node)
        helper = self._OPS.get(type(node.op))
        if helper is None or not isinstance(node.target, ast.Name):
            return node
        value = ast.Call(
            func=ast.Name(id=helper, ctx=ast.Load()),
            args=[ast.Name(id=node.target.id, ctx=ast.Load()), node.value],
            keywords=[],
        )
        return ast.copy_location(ast.Assign(targets=[node.target], value=value), node)


def _size_of(value: Any) -> int:
    return len(value) if isinstance(value, str | bytes | list | tuple) else 0


def _sb_mul(left: Any, right: Any) -> Any:
    if isinstance(left, int | float) and isinstance(right, int | float):
        result = left * right
        if isinstance(result, int) and result.bit_length() > MAX_INT_BITS:
            raise SandboxViolation("number too large")
        return result
    count = right if isinstance(right, int) else left if isinstance(left, int) else 0
    if max(_size_of(left), _size_of(right), 1) * max(int(count), 0) > MAX_SEQUENCE:
        raise SandboxViolation("allocation too large")
    return left * right


def _sb_pow(base: Any, exponent: Any) -> Any:
    if isinstance(base, int) and isinstance(exponent, int) and exponent > 0:
        if abs(base) > 1 and exponent * max(abs(base).bit_length(), 1) > MAX_INT_BITS:
            raise SandboxViolation("number too large")
    return base**exponent


def _sb_lshift(value: Any, shift: Any) -> Any:
    if isinstance(shift, int) and shift > MAX_INT_BITS:
        raise SandboxViolation("number too large")
    return value << shift


def _guarded_range(*args: int) -> range:
    result = range(*args)
    if len(result) > MAX_SEQUENCE:
        raise SandboxViolation("range too large")
    return result


_GUARDS = {"_sb_mul": _sb_mul, "_sb_pow": _sb_pow, "_sb_lshift": _sb_lshift}


def compile_checked(source: str, mode: str) -> Any:
    """Check and compile source for the sandbox; raise SandboxViolation with every reason."""
    problems = check_source(source, mode)
    if problems:
        raise SandboxViolation("; ".join(problems))
    tree = ast.fix_missing_locations(_Guard().visit(ast.parse(source, mode=mode)))
    return compile(tree, "<sandbox>", mode)


class _StepBudget:
    """A per-call line/call budget enforced with sys.settrace (time limit without threads)."""

    def __init__(self, limit: int):
        self.remaining = limit

    def __call__(self, frame: Any, event: str, arg: Any) -> Callable | None:
        if frame.f_code.co_filename != "<sandbox>":
            return None
        self.remaining -= 1
        if self.remaining < 0:
            raise SandboxViolation("script took too many steps")
        return self


def run_sandboxed(code: Any, namespace: dict[str, Any], mode: str, max_steps: int = MAX_STEPS) -> Any:
    """Run compiled sandbox code in `namespace` under the step budget."""
    builtins = dict(SAFE_BUILTINS)
    builtins["range"] = _guarded_range
    namespace["__builtins__"] = builtins
    namespace.update(_GUARDS)
    previous = sys.gettrace()
    sys.settrace(_StepBudget(max_steps))
    try:
        if mode == "eval":
            return eval(code, namespace)  # noqa: S307 - code passed the AST allow-list above
        exec(code, namespace)  # noqa: S102 - code passed the AST allow-list above
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
    return run_sandboxed(code, namespace, "eval")


def execute(source: str, data: dict[str, Any], helpers: Mapping[str, Any]) -> None:
    """Execute a script that reads and writes task data, in the sandbox."""
    code = compile_checked(source, "exec")
    namespace = dict(helpers)
    namespace.update(data)
    run_sandboxed(code, namespace, "exec")
    for key, value in namespace.items():
        if key.startswith("_") or key in helpers or callable(value):
            continue
        data[key] = value
    for key in [k for k in data if k not in namespace]:
        del data[key]
