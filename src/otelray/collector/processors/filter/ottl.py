"""A documented subset of OTTL boolean conditions, compiled to Python closures (contrib ``pkg/ottl``).

Grammar (``ottl.lark``, parsed with lark's LALR parser): ``and``/``or``/``not``, parentheses,
comparisons ``== != < <= > >=``, paths (``name``, ``attributes["http.route"]``,
``resource.attributes["service.name"]``, ``status.code`` …, per context in ``paths.py``), literals
(strings, ints, floats, ``true``/``false``, ``nil``), enums (``SPAN_KIND_CLIENT``,
``STATUS_CODE_ERROR``, ``METRIC_DATA_TYPE_SUM``, ``SEVERITY_NUMBER_WARN`` …) and the converters in
``CONVERTERS``. Comparison rules follow ``pkg/ottl/compare.go``: ``nil`` equals only ``nil``; ints and
floats compare numerically; strings compare lexically; values of different kinds are never equal and
never ordered. A function outside ``CONVERTERS`` is a config error naming it.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any

from lark import Lark, Token, Tree
from lark.exceptions import LarkError, UnexpectedInput

from otelray.collector.processors.filter.paths import ENUMS, Getter, OttlContext, OttlError, resolve_path

Condition = Callable[[Any], bool]


class OttlRuntimeError(ValueError):
    """A condition that failed on one item (handled according to ``error_mode``)."""


@cache
def _parser() -> Lark:
    grammar = resources.files(__package__).joinpath("ottl.lark").read_text()
    return Lark(grammar, parser="lalr", maybe_placeholders=False)


def _string(token: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), token[1:-1])


def _is_num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _compare(op: str, a: Any, b: Any) -> bool:
    if op in ("==", "!="):
        if a is None or b is None:
            equal = a is None and b is None
        elif _is_num(a) and _is_num(b):
            equal = a == b
        elif type(a) is not type(b):
            equal = False
        else:
            equal = a == b
        return equal if op == "==" else not equal
    if (_is_num(a) and _is_num(b)) or (isinstance(a, str) and isinstance(b, str)):
        return bool(_ORDER[op](a, b))
    return False


_ORDER = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def _string_like(v: Any) -> str | None:
    if v is None or isinstance(v, dict | list):
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _len(v: Any) -> int:
    if isinstance(v, str | list | dict | bytes):
        return len(v)
    raise OttlRuntimeError(f"Len: unsupported type {type(v).__name__}")


def _to_int(v: Any) -> int | None:
    try:
        return int(float(v)) if isinstance(v, str) else (int(v) if v is not None else None)
    except (TypeError, ValueError):
        return None


def _to_double(v: Any) -> float | None:
    try:
        return float(v) if v is not None else None
    except (TypeError, ValueError):
        return None


#: Converter name → (arity, implementation). ``IsMatch`` is compiled specially (literal pattern).
CONVERTERS: dict[str, tuple[int, Callable[..., Any]]] = {
    "IsMatch": (2, lambda target, pattern: False),
    "IsString": (1, lambda v: isinstance(v, str)),
    "IsInt": (1, lambda v: isinstance(v, int) and not isinstance(v, bool)),
    "IsDouble": (1, lambda v: isinstance(v, float)),
    "IsBool": (1, lambda v: isinstance(v, bool)),
    "IsMap": (1, lambda v: isinstance(v, dict)),
    "IsList": (1, lambda v: isinstance(v, list)),
    "Len": (1, _len),
    "HasPrefix": (2, lambda v, p: isinstance(v, str) and isinstance(p, str) and v.startswith(p)),
    "HasSuffix": (2, lambda v, s: isinstance(v, str) and isinstance(s, str) and v.endswith(s)),
    "ToLowerCase": (1, lambda v: v.lower() if isinstance(v, str) else None),
    "ToUpperCase": (1, lambda v: v.upper() if isinstance(v, str) else None),
    "String": (1, _string_like),
    "Int": (1, _to_int),
    "Double": (1, _to_double),
}


class _Compiler:
    def __init__(self, context: OttlContext) -> None:
        self.context = context

    def value(self, node: Tree[Token] | Token) -> Getter:
        kind = node.data if isinstance(node, Tree) else "token"
        if kind == "string":
            const: Any = _string(str(node.children[0]))  # type: ignore[union-attr]
        elif kind == "int_":
            const = int(str(node.children[0]))  # type: ignore[union-attr]
        elif kind == "float_":
            const = float(str(node.children[0]))  # type: ignore[union-attr]
        elif kind in ("true", "false"):
            const = kind == "true"
        elif kind == "nil":
            const = None
        elif kind == "enum":
            name = str(node.children[0])  # type: ignore[union-attr]
            if name not in ENUMS:
                raise OttlError(f"unknown enum {name!r}")
            const = ENUMS[name]
        elif kind == "path":
            return self.path(node)  # type: ignore[arg-type]
        elif kind == "call":
            return self.call(node)  # type: ignore[arg-type]
        else:
            cond = self.condition(node)
            return cond
        return lambda _ctx: const

    def path(self, node: Tree[Token]) -> Getter:
        names = [str(t) for t in node.children if isinstance(t, Token)]
        keys: list[str | int] = []
        for child in node.children:
            if isinstance(child, Tree):
                raw = str(child.children[0])
                keys.append(_string(raw) if raw.startswith('"') else int(raw))
        return resolve_path(self.context, names, keys)

    def call(self, node: Tree[Token]) -> Getter:
        name = str(node.children[0])
        args = [c for c in node.children[1:] if c is not None]
        if name not in CONVERTERS:
            raise OttlError(f"undefined function {name!r}; supported: {', '.join(sorted(CONVERTERS))}")
        arity, fn = CONVERTERS[name]
        if len(args) != arity:
            raise OttlError(f"{name} takes {arity} argument(s), got {len(args)}")
        if name == "IsMatch":
            return self.is_match(args)
        getters = [self.value(a) for a in args]
        if arity == 1:
            (g,) = getters
            return lambda ctx: fn(g(ctx))
        g1, g2 = getters
        return lambda ctx: fn(g1(ctx), g2(ctx))

    def is_match(self, args: list[Any]) -> Getter:
        target = self.value(args[0])
        pattern_node = args[1]
        if not (isinstance(pattern_node, Tree) and pattern_node.data == "string"):
            raise OttlError("IsMatch: the pattern must be a string literal")
        pattern = _string(str(pattern_node.children[0]))
        try:
            regex = re.compile(pattern)
        except re.error as exc:
            raise OttlError(f"IsMatch: invalid regex {pattern!r}: {exc}") from None

        def is_match(ctx: Any) -> bool:
            text = _string_like(target(ctx))
            return text is not None and regex.search(text) is not None
        return is_match

    def condition(self, node: Tree[Token] | Token) -> Condition:
        kind = node.data if isinstance(node, Tree) else "token"
        if kind in ("or_expr", "and_expr"):
            parts = [self.condition(c) for c in node.children]  # type: ignore[union-attr]
            if kind == "or_expr":
                return lambda ctx: any(p(ctx) for p in parts)
            return lambda ctx: all(p(ctx) for p in parts)
        if kind == "not_":
            inner = self.condition(node.children[0])  # type: ignore[union-attr]
            return lambda ctx: not inner(ctx)
        if kind == "compare":
            left_node, op_token, right_node = node.children  # type: ignore[union-attr]
            left, right, op = self.value(left_node), self.value(right_node), str(op_token)
            return lambda ctx: _compare(op, left(ctx), right(ctx))
        if kind in ("true", "false", "call"):
            getter = self.value(node)

            def boolean(ctx: Any) -> bool:
                result = getter(ctx)
                if not isinstance(result, bool):
                    raise OttlRuntimeError(f"condition did not evaluate to a boolean: {result!r}")
                return result
            return boolean
        raise OttlError("a condition must be a comparison, a boolean converter call or true/false")


def compile_condition(text: str, context: OttlContext) -> Condition:
    """Parse and compile one OTTL condition for ``context`` (``span``, ``metric``, ``log_record``…).

    Raises:
        OttlError: the condition does not parse, or uses an unknown path, enum or function.
    """
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as exc:
        raise OttlError(f"condition has invalid syntax: {text!r} (at column {exc.column})") from None
    except LarkError as exc:
        raise OttlError(f"condition has invalid syntax: {text!r}: {exc}") from None
    return _Compiler(context).condition(tree)
