"""Run-time guards of the sandbox: the budget of one run and the size-checked operations.

The AST rewrite in `sandbox.py` turns `a + b`, `a * b`, `a ** b`, `a % b`, method calls, f-string
fields, comparison operands and hashed keys into calls of the guards below, and the builtins the
sandbox offers are replaced by checked versions. Together with the step and wall-clock budget they
stop the known ways to exhaust memory or CPU from a one-line expression:

- sizes: one string, list or tuple holds at most MAX_SEQUENCE items, and one run may allocate at
  most MAX_ALLOC items in total (so a loop cannot keep building big lists);
- shared references: `[[0] * 10**5] * 10**5` is cheap to build but costs 10**10 to print, compare,
  hash or store, so values are measured (nodes plus characters, with a depth limit) before any of
  those operations, and before a script result enters task data;
- format widths: `f"{x:>999999999}"` and `"%999999999d" % 1` are refused.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from engine.errors import SandboxViolation

MAX_STEPS = 20_000
MAX_SECONDS = 1.0
MAX_SEQUENCE = 100_000
MAX_ALLOC = 1_000_000
MAX_DATA = 250_000
MAX_DATA_DEPTH = 20
MAX_INT_BITS = 4_096
MAX_FORMAT_WIDTH = 1_000

_SCALARS = (type(None), bool, int, float, date, datetime)
_FAST_SCALARS = frozenset({type(None), bool, int, float})
_TEXT = (str, bytes)
_SEQUENCES = (list, tuple, set, frozenset)
_PLAIN_LEAVES = (type(None), bool, int, float, str, date, datetime)
_PLAIN_CONTAINERS = (list, tuple, dict)
_WIDTH = re.compile(r"\d+")


def measure(value: Any, limit: int = MAX_DATA, depth_limit: int = MAX_DATA_DEPTH) -> int:
    """The cost of a value (nodes plus characters, shared references counted each time).

    Raises SandboxViolation as soon as the cost passes `limit` or nesting passes `depth_limit`, so
    the walk itself is bounded. Level by level, with no Python calls inside the loop (each would
    hit the sandbox's trace hook) and C-level scans of scalar-only containers.
    """
    if isinstance(value, _SCALARS):
        return 1
    total, depth, level = 0, 0, [value]
    while level:
        if depth > depth_limit:
            raise SandboxViolation("value nested too deeply")
        below: list = []
        for item in level:
            if isinstance(item, _TEXT):
                total += 1 + len(item)
                continue
            if isinstance(item, dict):
                total += 1 + 2 * len(item)
                children: Any = [*item.keys(), *item.values()] if total <= limit else ()
            elif isinstance(item, _SEQUENCES):
                total += 1 + len(item)
                children = item
            else:
                total += 1
                continue
            if total > limit:
                raise SandboxViolation("value too large")
            if children and not set(map(type, children)) <= _FAST_SCALARS:
                below.extend(children)
        level, depth = below, depth + 1
    return total


def check_plain(name: str, value: Any) -> None:
    """Refuse a script result that cannot be stored as task data (only plain, bounded values)."""
    measure(value)
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, _PLAIN_CONTAINERS):
            stack.extend(item)
        elif not isinstance(item, _PLAIN_LEAVES):
            raise SandboxViolation(f"'{name}' must be plain data (text, numbers, booleans, lists, dicts)")
        if len(stack) > MAX_DATA:
            raise SandboxViolation(f"'{name}' is too large")


def _length(value: Any) -> int:
    return len(value) if isinstance(value, str | bytes | list | tuple | dict | set | frozenset | range) else 0


def _check_spec(spec: str) -> None:
    for digits in _WIDTH.findall(spec):
        if len(digits) > 4 or int(digits) > MAX_FORMAT_WIDTH:
            raise SandboxViolation(f"format width or precision above {MAX_FORMAT_WIDTH}")


def format_spec_problem(spec: str) -> str | None:
    """Why a literal f-string format spec is refused, or None (used by the static check)."""
    try:
        _check_spec(spec)
    except SandboxViolation as exc:
        return str(exc)
    return None


class Budget:
    """Steps, wall-clock time and allocations left to one run; also its trace function."""

    def __init__(self, max_steps: int = MAX_STEPS, max_seconds: float = MAX_SECONDS, max_alloc: int = MAX_ALLOC):
        self.steps = max_steps
        self.deadline = time.monotonic() + max_seconds
        self.alloc = max_alloc

    def __call__(self, frame: Any, event: str, arg: Any) -> Callable | None:
        """sys.settrace hook: count every line and call of sandbox code, and watch the clock."""
        if frame.f_code.co_filename != "<sandbox>":
            return None
        self.steps -= 1
        if self.steps < 0:
            raise SandboxViolation("script took too many steps")
        if time.monotonic() > self.deadline:
            raise SandboxViolation("script took too long")
        return self

    def charge(self, items: int) -> None:
        """Account for `items` newly allocated elements or characters."""
        if items > MAX_SEQUENCE:
            raise SandboxViolation("allocation too large")
        self.alloc -= items
        if self.alloc < 0:
            raise SandboxViolation("script allocated too much memory")


class Guards:
    """The guard functions of one run, bound to its budget (inserted as `_sb_*` names)."""

    def __init__(self, budget: Budget):
        self.budget = budget

    def names(self) -> dict[str, Any]:
        """The namespace entries the rewritten code calls."""
        return {
            "_sb_add": self.add, "_sb_mul": self.mul, "_sb_pow": self.pow, "_sb_mod": self.mod,
            "_sb_method": self.method, "_sb_fmt": self.fmt, "_sb_chk": self.chk,
        }

    def builtins(self, safe: dict[str, Any]) -> dict[str, Any]:
        """The builtins of a run: the safe set with the size-sensitive ones replaced."""
        result = dict(safe)
        result.update({
            "range": self.range, "str": self.str, "sorted": self.sorted, "min": self.min, "max": self.max,
            "sum": self.sum, "list": self.list, "tuple": self.tuple, "set": self.set, "dict": self.dict,
        })
        return result

    # -- operators ---------------------------------------------------------------------------
    def add(self, left: Any, right: Any) -> Any:
        """`left + right`, refusing results that are too large."""
        size = _length(left) + _length(right)
        if size:
            self.budget.charge(size)
        return left + right

    def mul(self, left: Any, right: Any) -> Any:
        """`left * right`: big numbers and big repeated sequences are refused."""
        if isinstance(left, int | float) and isinstance(right, int | float):
            if isinstance(left, int) and isinstance(right, int) and left and right:
                if abs(left).bit_length() + abs(right).bit_length() > MAX_INT_BITS + 1:
                    raise SandboxViolation("number too large")
            return left * right
        count = right if isinstance(right, int) else left if isinstance(left, int) else 0
        self.budget.charge(max(_length(left), _length(right), 1) * max(int(count), 0))
        return left * right

    def pow(self, base: Any, exponent: Any) -> Any:
        """`base ** exponent`, refusing integers above MAX_INT_BITS."""
        if isinstance(base, int) and isinstance(exponent, int) and exponent > 0 and abs(base) > 1:
            if exponent > MAX_INT_BITS or exponent * abs(base).bit_length() > MAX_INT_BITS + exponent:
                raise SandboxViolation("number too large")
        return base**exponent

    def mod(self, left: Any, right: Any) -> Any:
        """`left % right` for numbers; printf-style string formatting is refused."""
        if isinstance(left, str | bytes):
            raise SandboxViolation("'%' string formatting is not allowed (use an f-string)")
        return left % right

    # -- values ------------------------------------------------------------------------------
    def chk(self, value: Any) -> Any:
        """Pass a value through after checking that comparing or hashing it is cheap."""
        if not isinstance(value, _SCALARS):
            measure(value)
        return value

    def fmt(self, value: Any, conversion: int, spec: str) -> str:
        """An f-string field: the value is measured and the format spec's widths are bounded."""
        measure(value)
        if conversion == ord("r"):
            value = repr(value)
        elif conversion == ord("a"):
            value = ascii(value)
        elif conversion == ord("s"):
            value = str(value)
        _check_spec(spec)
        text = format(value, spec)
        self.budget.charge(len(text))
        return text

    def method(self, obj: Any, name: str, /, *args: Any, **kwargs: Any) -> Any:
        """Call one of the allowed methods on a value (never on a type or a function)."""
        if isinstance(obj, type) or callable(obj):
            raise SandboxViolation(f"method '.{name}' may only be called on a value")
        if name == "join":
            args = self._join_args(obj, args)
        elif name == "replace" and isinstance(obj, str) and len(args) >= 2:
            self._check_replace(obj, args)
        elif name in {"count", "index", "get"}:
            self.chk(obj)
            for arg in args:
                self.chk(arg)
        result = getattr(obj, name)(*args, **kwargs)
        if name not in {"get", "count", "index"}:
            self.budget.charge(_length(result))
        return result

    def _join_args(self, sep: Any, args: tuple) -> tuple:
        if len(args) != 1 or not isinstance(sep, str):
            return args
        parts = self.list(args[0])
        size = len(sep) * max(len(parts) - 1, 0)
        for part in parts:  # no calls in this loop: each would hit the trace hook
            size += len(part) if type(part) is str else 0
            if size > MAX_SEQUENCE:
                break
        self.budget.charge(size)
        return (parts,)

    def _check_replace(self, text: str, args: tuple) -> None:
        old, new = args[0], args[1]
        if not isinstance(old, str) or not isinstance(new, str):
            return
        hits = text.count(old)
        if len(args) > 2 and isinstance(args[2], int) and args[2] >= 0:
            hits = min(hits, args[2])
        self.budget.charge(max(len(text) + hits * (len(new) - len(old)), 0))

    # -- builtins ----------------------------------------------------------------------------
    def range(self, *args: int) -> range:
        """range() of at most MAX_SEQUENCE numbers."""
        result = range(*args)
        if len(result) > MAX_SEQUENCE:
            raise SandboxViolation("range too large")
        return result

    def str(self, *args: Any) -> str:
        """str() of a measured value."""
        if args:
            measure(args[0])
        text = str(*args)
        self.budget.charge(len(text))
        return text

    def list(self, iterable: Any = ()) -> list:
        """list() charged to the allocation budget."""
        if _length(iterable):
            self.budget.charge(_length(iterable))
            return list(iterable)
        result: list = []
        for item in iterable:  # generators of sandbox code are traced (steps) as they resume
            result.append(item)
            if len(result) > MAX_SEQUENCE:
                break
        self.budget.charge(len(result))
        return result

    def tuple(self, iterable: Any = ()) -> tuple:
        """tuple() charged to the allocation budget."""
        return tuple(self.list(iterable))

    def set(self, iterable: Any = ()) -> set:
        """set() of measured (cheaply hashable) items."""
        items = self.list(iterable)
        measure(items)
        return set(items)

    def dict(self, *args: Any, **kwargs: Any) -> dict:
        """dict() of measured keys and values."""
        source = args[0] if args else {}
        if not isinstance(source, dict):
            source = self.list(source)
        measure(source)
        result = dict(source, **kwargs)
        self.budget.charge(len(result))
        return result

    def sorted(self, iterable: Any, *, key: Any = None, reverse: bool = False) -> list:
        """sorted() of measured items."""
        items = self.list(iterable)
        measure(items)
        return sorted(items, key=key, reverse=reverse)

    def min(self, *args: Any, **kwargs: Any) -> Any:
        """min() of measured items."""
        items = self.list(args[0]) if len(args) == 1 else list(args)
        measure(items)
        return min(items, **kwargs)

    def max(self, *args: Any, **kwargs: Any) -> Any:
        """max() of measured items."""
        items = self.list(args[0]) if len(args) == 1 else list(args)
        measure(items)
        return max(items, **kwargs)

    def sum(self, iterable: Any, start: Any = 0) -> Any:
        """sum() of numbers only (adding lists or strings is quadratic)."""
        total = start
        if not isinstance(total, int | float):
            raise SandboxViolation("sum() only adds numbers")
        for item in self.list(iterable):
            if not isinstance(item, int | float):
                raise SandboxViolation("sum() only adds numbers")
            total += item
        return total
