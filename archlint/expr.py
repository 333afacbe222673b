"""A tiny evaluator for `${...}` expressions in specs: arithmetic over declared variables, never `eval`.

The expression is parsed with `ast.parse` (parsing only; nothing is compiled or run) and walked by
a whitelist: numbers, strings, booleans, null, variable names, `+ - * / // % **`, comparisons,
`and`/`or`/`not`, `a if c else b`, lists, and the functions min, max, int, round and abs. Every step
is bounded: the text's length, the number of nodes, the size of every intermediate number, so a
hostile `${9**9**9}` is refused at once instead of running for hours.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Mapping
from typing import Any

MAX_LENGTH = 500  # characters in one expression
MAX_NODES = 200  # syntax nodes in one expression
MAX_BITS = 128  # bits in any intermediate integer
MAX_STRING = 1000  # characters in any intermediate string

_WHOLE = re.compile(r"^\$\{(.*)\}$", re.DOTALL)
_PART = re.compile(r"\$\{(.*?)\}", re.DOTALL)


class ExprError(Exception):
    """The expression is invalid or exceeds a bound; the message says which, in the spec's terms."""


def _check_number(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value.bit_length() > MAX_BITS:
        raise ExprError(f"a number exceeds {MAX_BITS} bits")
    if isinstance(value, float) and not math.isfinite(value):
        raise ExprError("the result is not a finite number")
    if isinstance(value, str) and len(value) > MAX_STRING:
        raise ExprError(f"a string exceeds {MAX_STRING} characters")
    return value


def _power(base, exponent):
    if isinstance(exponent, int) and isinstance(base, int) and not isinstance(base, bool):
        if exponent < 0:
            return _check_number(float(base) ** exponent)
        # bound before computing: |base| ** exponent has about exponent * bits(base) bits
        if abs(base) > 1 and exponent * (abs(base).bit_length() - 1) > MAX_BITS:
            raise ExprError(f"{base} ** {exponent} exceeds {MAX_BITS} bits")
    elif isinstance(exponent, (int, float)) and abs(exponent) > 1024:
        raise ExprError("an exponent is too large")
    try:
        return base**exponent
    except (OverflowError, ZeroDivisionError) as exc:
        raise ExprError(str(exc)) from None


def _multiply(a, b):
    if isinstance(a, str) or isinstance(b, str):
        count = b if isinstance(a, str) else a
        if not isinstance(count, int) or count * len(a if isinstance(a, str) else b) > MAX_STRING:
            raise ExprError(f"a string exceeds {MAX_STRING} characters")
    return a * b


def _divide(op):
    def apply(a, b):
        if b == 0:
            raise ExprError("division by zero")
        return op(a, b)

    return apply


_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: _multiply,
    ast.Div: _divide(operator.truediv),
    ast.FloorDiv: _divide(operator.floordiv),
    ast.Mod: _divide(operator.mod),
    ast.Pow: _power,
}
_COMPARE = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}


def _int(value):
    if isinstance(value, float) and not math.isfinite(value):
        raise ExprError("int() of a non-finite number")
    return int(value)


def _round(value, digits=None):
    return round(value) if digits is None else round(value, digits)


_FUNCTIONS = {"min": min, "max": max, "int": _int, "round": _round, "abs": abs}


class _Evaluator:
    def __init__(self, variables: Mapping[str, Any]):
        self.variables = variables

    def eval(self, node: ast.AST):
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            raise ExprError(f"{type(node).__name__} is not allowed in an expression")
        return _check_number(method(node))

    def _Expression(self, node):
        return self.eval(node.body)

    def _Constant(self, node):
        if not isinstance(node.value, (int, float, str, bool, type(None))):
            raise ExprError(f"the constant {node.value!r} is not allowed")
        return node.value

    def _Name(self, node):
        if node.id in ("true", "True"):
            return True
        if node.id in ("false", "False"):
            return False
        if node.id in ("null", "None"):
            return None
        if node.id not in self.variables:
            known = ", ".join(sorted(self.variables)) or "none"
            raise ExprError(f"unknown name {node.id!r} (known: {known})")
        return self.variables[node.id]

    def _BinOp(self, node):
        op = _BINARY.get(type(node.op))
        if op is None:
            raise ExprError(f"the operator {type(node.op).__name__} is not allowed")
        left, right = self.eval(node.left), self.eval(node.right)
        try:
            return op(left, right)
        except TypeError as exc:
            raise ExprError(str(exc)) from None

    def _UnaryOp(self, node):
        value = self.eval(node.operand)
        if isinstance(node.op, ast.Not):
            return not value
        if isinstance(node.op, ast.USub):
            return -value
        if isinstance(node.op, ast.UAdd):
            return +value
        raise ExprError("the operator ~ is not allowed")

    def _BoolOp(self, node):
        value = None
        for operand in node.values:
            value = self.eval(operand)
            if isinstance(node.op, ast.And) and not value:
                return value
            if isinstance(node.op, ast.Or) and value:
                return value
        return value

    def _Compare(self, node):
        left = self.eval(node.left)
        for op, right_node in zip(node.ops, node.comparators):
            compare = _COMPARE.get(type(op))
            if compare is None:
                raise ExprError(f"the comparison {type(op).__name__} is not allowed")
            right = self.eval(right_node)
            try:
                if not compare(left, right):
                    return False
            except TypeError as exc:
                raise ExprError(str(exc)) from None
            left = right
        return True

    def _IfExp(self, node):
        return self.eval(node.body) if self.eval(node.test) else self.eval(node.orelse)

    def _List(self, node):
        return [self.eval(element) for element in node.elts]

    _Tuple = _List

    def _Call(self, node):
        if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS or node.keywords:
            raise ExprError(f"only {', '.join(sorted(_FUNCTIONS))} may be called, with plain arguments")
        args = [self.eval(arg) for arg in node.args]
        try:
            return _FUNCTIONS[node.func.id](*args)
        except (TypeError, ValueError, OverflowError) as exc:
            raise ExprError(f"{node.func.id}(): {exc}") from None


def evaluate(text: str, variables: Mapping[str, Any]) -> Any:
    """The value of one expression (the part between `${` and `}`)."""
    if len(text) > MAX_LENGTH:
        raise ExprError(f"the expression is longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExprError(f"invalid expression: {exc.msg}") from None
    except (RecursionError, MemoryError, ValueError):
        raise ExprError("the expression is nested too deeply") from None
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES:
        raise ExprError(f"the expression has more than {MAX_NODES} parts")
    try:
        return _Evaluator(variables).eval(tree)
    except RecursionError:
        raise ExprError("the expression is nested too deeply") from None


def has_expression(value: Any) -> bool:
    return isinstance(value, str) and "${" in value


def substitute(value: Any, variables: Mapping[str, Any]) -> Any:
    """Resolve `${...}` in a string: a whole-string expression keeps its type, parts are spliced in."""
    if not has_expression(value):
        return value
    whole = _WHOLE.match(value)
    if whole and "${" not in whole.group(1):
        return evaluate(whole.group(1), variables)
    return _PART.sub(lambda m: str(evaluate(m.group(1), variables)), value)
