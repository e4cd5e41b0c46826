"""Parsing X-Ray filter expressions: every documented example, precedence, errors with columns."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from otelray.service.errors import InvalidRequestException
from otelray.service.facts import SUMMARY_COLUMNS, trace_facts
from otelray.service.filters import compile_filter
from otelray.service.filters.ast import And, Annotation, Compare, Edge, Kind, Not, Or, Ref, RootCause, Service
from otelray.service.filters.parser import MAX_EXPRESSION_LENGTH
from tests.unit.service.filters.corpus import corpus

GROUPS = {("name", "high_response_time"): "responsetime > 5"}

#: The developer guide's examples (reference/xray-service.md §3.3), verbatim.
DOCUMENTED = [
    'responsetime > 5',
    'duration >= 5 AND duration <= 8',
    'http.status != 200',
    'ok',
    '!ok',
    'ok = false',
    'ok !partial duration <3',
    'http.url CONTAINS "/api/game/"',
    'user CONTAINS ""',
    'http.url AND responseTime > 2',
    'service("api.example.com") { fault }',
    'service() { fault }',
    'service("api.example.com") { fault = true OR responsetime > 2.5 } AND annotation.account = "12345"',
    'edge("api.example.com", "backend.example.com") { error }',
    'http.url BEGINSWITH "http://api.example.com/" AND http.url CONTAINS "/v2/" AND !service("api.example.com")',
    'annotation.gameid = "817DL6VO"',
    'annotation.age',
    '!annotation.age',
    'annotation.age > 29',
    'group.name = "high_response_time" AND user = "alice"',
    'service("data-plane") {root = true and fault = true}',
    'rootcause.fault.entity { last and name = "deserialize" }',
    'rootcause.responsetime.entity { remote and coverage > 0.7 and name = "traces" }',
    'rootcause.fault.service { inferred and name = traces and type = "AWS::DynamoDB" }',
    'rootcause.fault.service { index > 5 }',
    'rootcause.responsetime.entity { last and coverage > 0.8 }',
    'rootcause.fault.service { name = "Auth" }',
    'rootcause.responsetime.service { last and type = "AWS::DynamoDB" }',
    'rootcause.fault.exception { last and message = "..." }',
    'service(id(name: "random-name", type: "AWS::Lambda::Function")) { error }',
    'service(id(type: "AWS::Lambda::Function")) { error }',
    'service(id(account.id: "account-id"))',
    'edge(id(name: "a", type: "t"), id(name: "b", type: "t")) { ok }',
    'fault = true AND http.url CONTAINS "example/game" AND responsetime >= 5',
    'rootcause.json = #[{ "Services": [ { "Name": "X", "EntityPath": [{ "Name": "X" }, { "Name": "y" }] } ] }]',
    '... AND (service(id(type: "Database::SQL")))'.replace("... AND ", "ok AND "),
    'groupname = "high_response_time"',
]


@pytest.mark.parametrize("expression", DOCUMENTED)
def test_documented_example_parses(expression: str) -> None:
    compile_filter(expression, lambda field, value: GROUPS.get((field, value)))


def tree(expression: str):
    return compile_filter(expression, lambda f, v: GROUPS.get((f, v))).tree


def test_juxtaposition_is_and_and_bang_binds_tightest() -> None:
    assert tree("ok !partial duration <3") == And((
        Compare("ok", Kind.BOOL, "=", True),
        Not(Compare("partial", Kind.BOOL, "=", True)),
        Compare("duration", Kind.NUMBER, "<", 3.0),
    ))


def test_and_binds_tighter_than_or_and_parentheses_override() -> None:
    ok, fault, error = (Compare(k, Kind.BOOL, "=", True) for k in ("ok", "fault", "error"))
    assert tree("ok OR fault AND error") == Or((ok, And((fault, error))))
    assert tree("(ok OR fault) AND error") == And((Or((ok, fault)), error))
    assert tree("NOT (ok or fault)") == Not(Or((ok, fault)))


def test_keywords_and_operators_are_case_insensitive_values_are_not() -> None:
    assert tree('HTTP.URL contains "/A/" and ResponseTime > 2') == tree('http.url CONTAINS "/A/" AND responsetime > 2')
    assert tree('http.url = "X"') != tree('http.url = "x"')
    assert tree("OK = FALSE") == Compare("ok", Kind.BOOL, "=", False)
    assert tree("ok != false") == Compare("ok", Kind.BOOL, "=", True)


def test_annotation_keys_keep_their_case_and_values_their_type() -> None:
    assert tree("annotation.GameId = 12") == Annotation("GameId", "=", 12.0)
    assert tree('annotation.flag = true') == Annotation("flag", "=", True)
    assert tree('annotation.s = "12"') == Annotation("s", "=", "12")


def test_service_and_edge_refs() -> None:
    assert tree('service(id(name: "a", type: "AWS::Lambda"))') == Service(Ref("a", "AWS::Lambda"), None)
    assert tree("service()") == Service(None, None)
    expr = tree('edge("a", id(type: "remote")) { error }')
    assert isinstance(expr, Edge) and expr.source == Ref("a") and expr.destination == Ref(type="remote")


def test_string_escapes() -> None:
    assert tree(r'http.url = "a\"b\\c"') == Compare("http.url", Kind.STRING, "=", 'a"b\\c')


def test_group_reference_is_expanded() -> None:
    assert tree('group.name = "high_response_time"') == Compare("responsetime", Kind.NUMBER, ">", 5.0)


def test_rootcause_tree() -> None:
    assert tree("rootcause.fault.service { first }") == RootCause(
        "fault", "service", Compare("first", Kind.BOOL, "=", True))


@pytest.mark.parametrize(("expression", "message"), [
    ("responsetime >", 'at column 15: unexpected end of expression; expected one of: a keyword, a number'),
    ("responsetime CONTAINS 3", "at column 1: number keyword 'responsetime' takes = != < <= > >= and a number"),
    ("fault > 3", "at column 1: boolean keyword 'fault' takes = true|false or != true|false"),
    ('http.url > "a"', "at column 1: string keyword 'http.url' takes = != CONTAINS BEGINSWITH ENDSWITH"),
    ("ok AND bogus", "at column 8: unknown keyword 'bogus'"),
    ("root", "at column 1: keyword 'root' cannot be used at trace level"),
    ('service("a") { annotation.x }', "at column 16: annotation keywords cannot be used inside service()"),
    ('service("a") { service("b") }', "at column 16: service() cannot be used inside service()"),
    ('edge("a") { ok }', 'at column 9: unexpected ")"; expected one of: ","'),
    ("(ok", 'at column 4: unexpected end of expression; expected one of: ")"'),
    ("ok )", "at column 4: unexpected \")\""),
    ("ok $", 'at column 4: unexpected character "$"'),
    ('group.name = "nope"', "at column 1: unknown group 'nope'"),
    ("rootcause.json = #[{]", "at column 18: rootcause.json value is not valid JSON"),
    ('service(id(colour: "x"))', "at column 12: unknown id() field 'colour'"),
    ("", "the expression is empty"),
    ("responsetime > 5 > 6", "at column 18: unexpected"),
])
def test_errors_name_the_column_and_the_expectation(expression: str, message: str) -> None:
    with pytest.raises(InvalidRequestException) as info:
        compile_filter(expression, lambda f, v: GROUPS.get((f, v)))
    assert info.value.code == "InvalidRequestException" and info.value.status == 400
    assert info.value.message.startswith("Invalid filter expression")
    assert message in info.value.message


def test_group_with_invalid_expression_is_reported() -> None:
    with pytest.raises(InvalidRequestException, match="group 'bad' has an invalid filter expression"):
        compile_filter('group.name = "bad"', lambda f, v: "ok AND")


def test_self_referencing_group_is_rejected_not_a_crash() -> None:
    with pytest.raises(InvalidRequestException, match="nested deeper"):
        compile_filter('group.name = "loop"', lambda f, v: 'group.name = "loop"')


def test_length_and_nesting_limits() -> None:
    with pytest.raises(InvalidRequestException, match="longer than"):
        compile_filter("ok AND " * (MAX_EXPRESSION_LENGTH // 7) + "ok")
    with pytest.raises(InvalidRequestException, match="nested deeper"):
        compile_filter("(" * 200 + "ok" + ")" * 200)


ALPHABET = st.sampled_from(list('()!{}",:=<>#[]. \n\t-+') + [
    "ok", "AND", "or", "service", "edge", "id", "annotation.", "http.url", "rootcause.fault.entity", "group.name",
    "responsetime", "CONTAINS", "true", "5", "2.5", "x", " fault ", " error ", " !", "NOT ", " partial ",
    ' service("api.example.com") ', ' service("shop") ', " { ", " } ", " annotation.age ", " annotation.gameid ",
    ' "817DL6VO" ', " http.status ", " 429 ", " duration ", " 1 ", " > ", " = ", " != ", " >= ", ' "/api" ',
    " BEGINSWITH ", ' "http://api" ', " name ", ' "payments" ', " throttle ", " inferred ", " user ", ' "bob" ',
    ' edge("api.example.com", "backend.example.com") ', " ( ", " ) ", " AND ", " OR ",
])


FACTS = [trace_facts(docs) for docs in corpus().values()]
DB = sqlite3.connect(":memory:")
DB.execute(f"CREATE TABLE trace({', '.join(f'{c} {k}' for c, k in SUMMARY_COLUMNS.items())})")
DB.executemany(f"INSERT INTO trace VALUES ({', '.join('?' * len(SUMMARY_COLUMNS))})",
               [tuple(f.to_row()[c] for c in SUMMARY_COLUMNS) for f in FACTS])


@settings(max_examples=600, deadline=None)
@given(st.one_of(st.text(max_size=60), st.lists(ALPHABET, max_size=25).map("".join)))
def test_fuzz_only_invalid_request_exception(expression: str) -> None:
    """Random input: only InvalidRequestException; anything that compiles evaluates, and its SQL runs
    and selects exactly the matching traces when it claims to be exact (a superset otherwise)."""
    try:
        filt = compile_filter(expression, lambda f, v: None)
    except InvalidRequestException as exc:
        assert exc.message.startswith("Invalid filter expression")
        return
    matching = {f.trace_id for f in FACTS if filt.matches(f)}
    where = filt.sql()
    selected = {r[0] for r in DB.execute(f"SELECT trace_id FROM trace WHERE {where.clause}", where.params)}
    assert selected == matching if where.exact else selected >= matching


ATOMS = st.sampled_from([
    "ok", "error", "fault", "throttle", "partial", "inferred", "!ok", "ok = false", "responsetime > 2",
    "duration <= 1.2", "http.status = 429", "http.status != 200", 'http.url CONTAINS "/api/"', "http.url",
    'http.url BEGINSWITH "http://api"', 'http.url ENDSWITH "/items"', 'http.method = "POST"', 'user = "bob"',
    'user CONTAINS ""', 'service("shop")', 'service("api.example.com") { error }', "service() { fault }",
    'service(id(type: "AWS::DynamoDB::Table"))', 'edge("shop", "payments") { fault }', "annotation.age",
    "annotation.age > 29", 'annotation.gameid = "817DL6VO"', "annotation.vip = true", "annotation.order_count = 7",
    'annotation.customer_tier != "gold"', 'name = "payments"', 'rootcause.fault.service { last and inferred }',
    'rootcause.json = #[{"ClientImpacting": true}]',
])
EXPRESSIONS = st.recursive(ATOMS, lambda inner: st.one_of(
    st.tuples(inner, st.sampled_from([" AND ", " OR ", " and ", " "]), inner).map("".join),
    inner.map(lambda e: f"!({e})"), inner.map(lambda e: f"NOT ({e})"), inner.map(lambda e: f"({e})"),
), max_leaves=6)


@settings(max_examples=400, deadline=None)
@given(EXPRESSIONS)
def test_random_valid_expressions_push_down_exactly_or_as_a_superset(expression: str) -> None:
    filt = compile_filter(expression)
    matching = {f.trace_id for f in FACTS if filt.matches(f)}
    where = filt.sql()
    selected = {r[0] for r in DB.execute(f"SELECT trace_id FROM trace WHERE {where.clause}", where.params)}
    assert selected == matching if where.exact else selected >= matching


def test_rootcause_json_ends_where_its_array_ends() -> None:
    expr = tree('rootcause.json = #[{"Services": [{"Name": "a]b"}]}] AND rootcause.json = #[{"ClientImpacting": true}]'
                ' AND http.url CONTAINS "#[x"')
    assert isinstance(expr, And) and len(expr.items) == 3
    first, second, url = expr.items
    assert first.patterns == ({"Services": [{"Name": "a]b"}]},) and second.patterns == ({"ClientImpacting": True},)
    assert url == Compare("http.url", Kind.STRING, "contains", "#[x")
