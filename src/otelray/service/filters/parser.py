"""Parsing X-Ray filter expressions into the syntax tree of ``filters.ast`` (X-Ray developer guide,
"Using filter expressions"; grammar in ``grammar.lark``, parsed by lark's LALR parser).

Every problem becomes ``InvalidRequestException`` with the 1-based column and what was expected, e.g.
``Invalid filter expression at column 10: unexpected ")"; expected a number``: syntax errors come
from lark, type errors (``fault > 3``, ``responsetime CONTAINS "x"``), unknown keywords and keywords
used outside their scope (``root`` outside ``service()``) from the checks below. ``group.name`` /
``group.arn`` are replaced by the group's own expression through a resolver given by the caller.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from importlib import resources
from typing import Any, cast

from lark import Lark, Token, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from otelray.service.errors import InvalidRequestException
from otelray.service.filters.ast import (
    KEYWORDS,
    SCOPE_KEYWORDS,
    And,
    Annotation,
    Compare,
    Edge,
    Expr,
    Kind,
    Not,
    Or,
    Ref,
    RootCause,
    RootCauseJson,
    Scope,
    Service,
)

__all__ = [
    "MAX_DEPTH",
    "MAX_EXPRESSION_LENGTH",
    "GroupResolver",
    "parse_filter",
]

#: Longest expression accepted (the console's group and search boxes are far shorter).
MAX_EXPRESSION_LENGTH = 4096
#: Deepest nesting of parentheses, braces and group references.
MAX_DEPTH = 64

#: ``(field, value) -> expression`` of a group (field is ``name`` or ``arn``), ``None`` when unknown.
GroupResolver = Callable[[str, str], "str | None"]

_EXPECTED = {
    "KEYWORD": "a keyword", "STRING": "a quoted string", "NUMBER": "a number", "TRUE": "true",
    "FALSE": "false", "OP": "an operator (= != < <= > >= CONTAINS BEGINSWITH ENDSWITH)", "AND": "AND",
    "OR": "OR", "NOT": "NOT", "BANG": '"!"', "LPAR": '"("', "RPAR": '")"', "LBRACE": '"{"', "RBRACE": '"}"',
    "COMMA": '","', "COLON": '":"', "SERVICE": "service(", "EDGE": "edge(", "ID": "id(",
    "ROOTCAUSE": "rootcause.<fault|error|responsetime>.<service|entity|exception>",
    "ROOTCAUSE_JSON": "rootcause.json", "GROUP": "group.name", "JSON": "#[...]", "$END": "end of expression",
}
_BOOL_OPS = {"=", "!="}
_NUMBER_OPS = {"=", "!=", "<", "<=", ">", ">="}
_STRING_OPS = {"=", "!=", "contains", "beginswith", "endswith"}
_ID_KEYS = {"name": "name", "type": "type", "account.id": "account_id"}
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)


class _Error(Exception):
    def __init__(self, message: str, column: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.column = column


@functools.cache
def _lark() -> Lark:
    text = resources.files("otelray.service.filters").joinpath("grammar.lark").read_text(encoding="utf-8")
    return Lark(text, parser="lalr", lexer="contextual", maybe_placeholders=True)


def _fail(message: str, column: int | None = None) -> InvalidRequestException:
    where = f" at column {column}" if column is not None else ""
    return InvalidRequestException(f"Invalid filter expression{where}: {message}")


def _syntax_error(exc: UnexpectedInput, length: int) -> InvalidRequestException:
    column = getattr(exc, "column", None)
    column = column if isinstance(column, int) and column > 0 else None
    if isinstance(exc, UnexpectedCharacters):
        char = exc.char if hasattr(exc, "char") else "?"
        expected = sorted({_EXPECTED.get(t, t) for t in (exc.allowed or ())})
        return _fail(f'unexpected character "{char}"' + (f"; expected one of: {', '.join(expected)}"
                                                           if expected else ""), column)
    if isinstance(exc, UnexpectedToken):
        token = exc.token
        seen = "end of expression" if token.type == "$END" else f'"{token}"'
        if token.type == "$END":
            column = length + 1
        expected = sorted({_EXPECTED.get(t, t) for t in exc.expected})
        return _fail(f"unexpected {seen}; expected one of: {', '.join(expected)}", column)
    return _fail("incomplete expression")


def parse_filter(expression: str, groups: GroupResolver | None = None) -> Expr:
    """Parse a filter expression into its syntax tree.

    Raises:
        InvalidRequestException: the expression is malformed, mistyped or too long; the message
            names the column and what was expected.
    """
    return _Parser(groups).parse(expression, 0)


def _mask_json(expression: str) -> tuple[str, dict[int, Any]]:
    """Cut the ``#[...]`` arrays of ``rootcause.json`` out of an expression.

    A regular expression cannot find where a nested JSON array ends, so each one is decoded here and
    replaced by ``#[`` spaces ``]`` of the same length (columns stay right); the decoded values are
    returned by start offset. ``#[`` inside a quoted string is left alone.
    """
    values: dict[int, Any] = {}
    out = list(expression)
    decoder = json.JSONDecoder()
    i, in_string = 0, False
    while i < len(expression):
        char = expression[i]
        if in_string:
            if char == "\\":
                i += 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif expression.startswith("#[", i):
            try:
                value, end = decoder.raw_decode(expression, i + 1)
            except ValueError as exc:
                raise _fail(f"rootcause.json value is not valid JSON ({exc.args[0].split(':')[0]})", i + 1) from None
            values[i] = value
            out[i + 2:end - 1] = " " * (end - 1 - (i + 2))
            i = end
            continue
        i += 1
    return "".join(out), values


class _Parser:
    def __init__(self, groups: GroupResolver | None) -> None:
        self.groups = groups
        self.json: dict[int, Any] = {}

    def parse(self, expression: str, depth: int) -> Expr:
        if not isinstance(expression, str):
            raise _fail("the expression must be a string")
        if len(expression) > MAX_EXPRESSION_LENGTH:
            raise _fail(f"longer than {MAX_EXPRESSION_LENGTH} characters")
        if not expression.strip():
            raise _fail("the expression is empty")
        masked, values = _mask_json(expression)
        try:
            tree = _lark().parse(masked)
        except UnexpectedInput as exc:
            raise _syntax_error(exc, len(expression)) from None
        except (LarkError, RecursionError) as exc:
            raise _fail(f"cannot be parsed ({type(exc).__name__})") from None
        outer, self.json = self.json, values  # group expressions are parsed while building this one
        try:
            return self.build(tree, Scope.TRACE, depth)
        except _Error as exc:
            raise _fail(exc.message, exc.column) from None
        except RecursionError:
            raise _fail(f"nested deeper than {MAX_DEPTH} levels") from None
        finally:
            self.json = outer

    def build(self, node: Tree | Token, scope: Scope, depth: int) -> Expr:
        if depth > MAX_DEPTH:
            raise _Error(f"nested deeper than {MAX_DEPTH} levels", None)
        if not isinstance(node, Tree):  # the grammar never yields a bare token as an expression
            raise _Error(f"unexpected {str(node)!r}", getattr(node, "column", None))
        rule = str(node.data)
        handler = getattr(self, f"_{rule}")
        result: Expr = handler(node, scope, depth)
        return result

    def _or_expr(self, node: Tree, scope: Scope, depth: int) -> Expr:
        return Or(tuple(self.build(c, scope, depth + 1) for c in node.children if isinstance(c, Tree)))

    def _and_expr(self, node: Tree, scope: Scope, depth: int) -> Expr:
        return And(tuple(self.build(c, scope, depth + 1) for c in node.children if isinstance(c, Tree)))

    def _negation(self, node: Tree, scope: Scope, depth: int) -> Expr:
        return Not(self.build(node.children[1], scope, depth + 1))

    def _group_paren(self, node: Tree, scope: Scope, depth: int) -> Expr:
        return self.build(node.children[1], scope, depth + 1)

    def _predicate(self, node: Tree, scope: Scope, depth: int) -> Expr:
        keyword_token, op_token, value_node = (node.children + [None, None])[:3]
        keyword_token = cast(Token, keyword_token)
        keyword = str(keyword_token).lower()
        column = keyword_token.column
        op = str(op_token).lower() if op_token is not None else None
        value = _value(value_node) if isinstance(value_node, Tree) else None
        if keyword.startswith("annotation."):
            if scope is not Scope.TRACE:
                raise _Error(f"annotation keywords cannot be used inside {scope.value}", column)
            return _annotation(str(keyword_token)[len("annotation."):], op, value, column)
        kind = KEYWORDS.get(keyword)
        if kind is None:
            raise _Error(f"unknown keyword {str(keyword_token)!r}", column)
        if keyword not in SCOPE_KEYWORDS[scope]:
            where = "at trace level" if scope is Scope.TRACE else f"inside {scope.value}"
            raise _Error(f"keyword {keyword!r} cannot be used {where}", column)
        return _compare(keyword, kind, op, value, column)

    def _service(self, node: Tree, scope: Scope, depth: int) -> Expr:
        self._top_level(node, scope, "service()")
        _, _, ref, _, body = node.children
        return Service(_ref(ref) if ref is not None else None, self._body(body, Scope.SERVICE, depth))

    def _edge(self, node: Tree, scope: Scope, depth: int) -> Expr:
        self._top_level(node, scope, "edge()")
        _, _, src, _, dst, _, body = node.children
        return Edge(_ref(src), _ref(dst), self._body(body, Scope.EDGE, depth))

    def _rootcause(self, node: Tree, scope: Scope, depth: int) -> Expr:
        self._top_level(node, scope, "rootcause")
        token, body = node.children
        _, kind, level = str(token).lower().split(".")
        inner = {"service": Scope.RC_SERVICE, "entity": Scope.RC_ENTITY, "exception": Scope.RC_EXCEPTION}[level]
        return RootCause(kind, level, cast(Expr, self._body(body, inner, depth)))  # the grammar requires a body

    def _rootcause_json(self, node: Tree, scope: Scope, depth: int) -> Expr:
        self._top_level(node, scope, "rootcause.json")
        _, op, text = node.children
        if str(op) != "=":
            raise _Error("rootcause.json only supports =", op.column)
        patterns = self.json.get(text.start_pos)
        if not isinstance(patterns, list) or not all(isinstance(p, dict) for p in patterns):
            raise _Error("rootcause.json must be a list of root-cause objects", text.column)
        return RootCauseJson(tuple(patterns))

    def _group_ref(self, node: Tree, scope: Scope, depth: int) -> Expr:
        self._top_level(node, scope, "group.name")
        token, op, value_node = node.children
        field = "arn" if str(token).lower() == "group.arn" else "name"
        value = _value(value_node)
        if str(op) != "=" or not isinstance(value, str):
            raise _Error(f"group.{field} must be compared with = and a quoted string", op.column)
        expression = self.groups(field, value) if self.groups is not None else None
        if expression is None:
            raise _Error(f"unknown group {value!r}", token.column)
        try:
            return self.parse(expression, depth + 8)
        except InvalidRequestException as exc:
            raise _Error(f"group {value!r} has an invalid filter expression ({exc.message})", token.column) from None

    def _top_level(self, node: Tree, scope: Scope, what: str) -> None:
        if scope is not Scope.TRACE:
            first = node.children[0]
            raise _Error(f"{what} cannot be used inside {scope.value}", getattr(first, "column", None))

    def _body(self, body: Tree | None, scope: Scope, depth: int) -> Expr | None:
        return None if body is None else self.build(body.children[1], scope, depth + 1)


def _value(node: Tree) -> Any:
    token = cast(Token, node.children[0])
    if token.type == "STRING":
        return _unquote(str(token))
    if token.type == "NUMBER":
        return float(token)
    if token.type in ("TRUE", "FALSE"):
        return token.type == "TRUE"
    return str(token)  # a bare word, as in the guide's ``name = traces``


def _unquote(text: str) -> str:
    return _ESCAPE.sub(r"\1", text[1:-1])


def _ref(node: Tree) -> Ref:
    child = node.children[0]
    if isinstance(child, Token):
        return Ref(name=_unquote(str(child)))
    parts: dict[str, str] = {}
    for arg in child.children:
        if isinstance(arg, Tree):
            key_token, _, value = arg.children
            key = _ID_KEYS.get(str(key_token).lower())
            if key is None:
                raise _Error(f"unknown id() field {str(key_token)!r}; expected name, type or account.id",
                             key_token.column)
            parts[key] = _unquote(str(value))
    return Ref(**parts)


def _compare(keyword: str, kind: Kind, op: str | None, value: Any, column: int) -> Compare:
    if kind is Kind.BOOL:
        if op is None:
            return Compare(keyword, kind, "=", True)
        if op not in _BOOL_OPS or not isinstance(value, bool):
            raise _Error(f"boolean keyword {keyword!r} takes = true|false or != true|false", column)
        return Compare(keyword, kind, "=", value if op == "=" else not value)
    if op is None:
        if kind is Kind.NUMBER:
            raise _Error(f"number keyword {keyword!r} needs an operator and a number", column)
        return Compare(keyword, kind, None, None)
    if kind is Kind.NUMBER and (op not in _NUMBER_OPS or not isinstance(value, float)):
        raise _Error(f"number keyword {keyword!r} takes = != < <= > >= and a number", column)
    if kind is Kind.STRING and (op not in _STRING_OPS or not isinstance(value, str)):
        raise _Error(f"string keyword {keyword!r} takes = != CONTAINS BEGINSWITH ENDSWITH and a string", column)
    return Compare(keyword, kind, op, value)


def _annotation(key: str, op: str | None, value: Any, column: int) -> Annotation:
    if op is None:
        return Annotation(key, None, None)
    if isinstance(value, bool) and op not in _BOOL_OPS:
        raise _Error(f"annotation.{key} compared with a boolean takes = or !=", column)
    if isinstance(value, float) and op not in _NUMBER_OPS:
        raise _Error(f"annotation.{key} compared with a number takes = != < <= > >=", column)
    if isinstance(value, str) and op not in _STRING_OPS:
        raise _Error(f"annotation.{key} compared with a string takes = != CONTAINS BEGINSWITH ENDSWITH", column)
    return Annotation(key, op, value)
