"""Filter behaviour on a small corpus of traces, and SQL pushdown agreeing with it."""

from __future__ import annotations

import sqlite3

import pytest

from otelray.service.facts import SUMMARY_COLUMNS, TraceFacts, trace_facts
from otelray.service.filters import compile_filter
from tests.unit.service.filters.corpus import corpus, game, lambda_invocation

FACTS = {name: trace_facts(docs) for name, docs in corpus().items()}
FACTS["game_fast"] = trace_facts(game(status=200, response_time=1.0))
GROUPS = {("name", "slow"): "responsetime > 2", ("arn", "arn:aws:xray:us-east-1:1:group/slow/X"): "responsetime > 2"}


def matching(expression: str) -> set[str]:
    filt = compile_filter(expression, lambda f, v: GROUPS.get((f, v)))
    return {name for name, facts in FACTS.items() if filt.matches(facts)}


CASES = [
    ("ok", {"sdk", "game_fast"}),
    ("!ok", {"shop", "api", "game"}),
    ("ok = false", {"shop", "api", "game"}),
    ("error", {"api", "game"}),
    ("fault", {"shop"}),
    ("throttle", {"api"}),
    ("partial", {"api"}),
    ("inferred", {"sdk", "shop", "api"}),
    ("responsetime > 2", {"game"}),
    ("duration >= 1 AND duration <= 2", {"api", "game_fast"}),
    ("http.status != 200", {"shop", "api", "game"}),
    ("http.status = 429", {"api"}),
    ("ok !partial duration < 3", {"sdk", "game_fast"}),
    ('http.url CONTAINS "/api/game/"', {"game", "game_fast"}),
    ('http.url BEGINSWITH "http://api.example.com/" AND http.url CONTAINS "/v2/"', {"api", "game", "game_fast"}),
    ('http.url ENDSWITH "/items"', {"shop", "api"}),
    ('http.method = "POST"', {"shop"}),
    ('http.useragent CONTAINS "curl"', {"shop"}),
    ('http.clientip = "10.0.0.9"', {"shop"}),
    ('user CONTAINS ""', {"shop", "game", "game_fast"}),
    ('user = "alice"', {"shop"}),
    ('user != "alice"', {"game", "game_fast"}),
    ("http.url AND responseTime > 2", {"game"}),
    ('service("api.example.com")', {"api", "game", "game_fast"}),
    ('!service("api.example.com")', {"sdk", "shop"}),
    ('service("payments") { fault }', {"shop"}),
    ('service("orders") { ok }', {"shop"}),
    ('service("orders@db.internal") { fault and inferred }', {"shop"}),
    ("service() { fault }", {"sdk", "shop"}),
    ('service("api.example.com") { root = true and error = true }', {"api", "game"}),
    ('service("backend.example.com") { root }', set()),
    ('service("api.example.com") { fault = true OR responsetime > 2.5 } AND annotation.gameid = "817DL6VO"',
     {"game"}),
    ('service(id(type: "AWS::DynamoDB::Table"))', {"shop"}),
    ('service(id(name: "S3", type: "AWS::S3")) { partial }', {"api"}),
    ('service(id(account.id: "123456789012"))', {"shop"}),
    ('edge("api.example.com", "backend.example.com") { error }', {"game", "game_fast"}),
    ('edge("shop", "payments") { fault and responsetime > 0.3 }', {"shop"}),
    ('edge("shop", "payments") { responsetime > 0.4 }', set()),
    ('edge(id(name: "shop"), id(type: "AWS::DynamoDB::Table"))', {"shop"}),
    ('annotation.gameid = "817DL6VO"', {"game", "game_fast"}),
    ("annotation.age", {"game", "game_fast"}),
    ("!annotation.age", {"sdk", "shop", "api"}),
    ("annotation.age > 29", {"game", "game_fast"}),
    ("annotation.age > 30", set()),
    ('annotation.age = "30"', set()),
    ("annotation.order_count = 7", {"shop"}),
    ("annotation.vip = true", {"game", "game_fast"}),
    ('annotation.customer_tier != "gold"', set()),
    ('annotation.customer_tier BEGINSWITH "go"', {"shop"}),
    ('group.name = "slow" AND user = "bob"', {"game"}),
    ('group.arn = "arn:aws:xray:us-east-1:1:group/slow/X"', {"game"}),
    ('availabilityzone = "us-east-1b"', {"api"}),
    ('instance.id = "i-0abc"', {"shop"}),
    ('resource.arn CONTAINS ":ecs:"', {"api"}),
    ('account.id = "123456789012"', {"shop"}),
    ('name = "payments"', {"shop"}),
    ('type = "AWS::SQS::Queue"', {"api"}),
    ('rootcause.fault.service { inferred and name = "orders@db.internal" and type = "Database::SQL" }', {"shop"}),
    ('rootcause.fault.service { last and inferred }', {"sdk", "shop"}),
    ('rootcause.fault.service { first and name = "shop" }', {"shop"}),
    ("rootcause.fault.service { index > 1 }", {"shop"}),
    ('rootcause.fault.entity { last and name = "orders@db.internal" and remote }', {"shop"}),
    ('rootcause.fault.exception { name = "OperationalError" and message CONTAINS "deadlock" }', {"shop"}),
    ('rootcause.fault.entity { message = "deadlock detected" }', {"shop"}),
    ('rootcause.error.service { name = "backend.example.com" and last }', {"game", "game_fast"}),
    ('rootcause.responsetime.entity { coverage > 0.6 and name = "payments.example.com" }', {"shop"}),
    ('rootcause.responsetime.service { last and type = "Database::SQL" }', {"shop"}),
    ('rootcause.json = #[{"Services": [{"Name": "shop"}, {"Name": "payments"}, {"Name": "orders@db.internal"}]}]',
     {"shop"}),
    ('rootcause.json = #[{"Services": [{"Name": "shop"}]}]', set()),
    # game_fast: the backend's 400 was handled, so its error root cause does not impact the client
    ('rootcause.json = #[{"ClientImpacting": false}]', {"sdk", "game_fast"}),
    ("(fault OR throttle) AND NOT partial", {"shop"}),
    ("fault OR throttle AND partial", {"shop", "api"}),
]


@pytest.mark.parametrize(("expression", "expected"), CASES)
def test_filter_selects_the_expected_traces(expression: str, expected: set[str]) -> None:
    assert matching(expression) == expected


@pytest.fixture(scope="module")
def db() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    columns = ", ".join(f'"{name}" {kind}' for name, kind in SUMMARY_COLUMNS.items())
    conn.execute(f"CREATE TABLE trace(name TEXT, {columns})")
    for name, facts in FACTS.items():
        row = facts.to_row()
        conn.execute(f"INSERT INTO trace VALUES (?, {', '.join('?' * len(row))})",
                     (name, *(row[c] for c in SUMMARY_COLUMNS)))
    return conn


@pytest.mark.parametrize(("expression", "expected"), CASES)
def test_sql_pushdown_is_exact_or_a_superset(db: sqlite3.Connection, expression: str, expected: set[str]) -> None:
    where = compile_filter(expression, lambda f, v: GROUPS.get((f, v))).sql()
    selected = {r[0] for r in db.execute(f"SELECT name FROM trace WHERE {where.clause}", where.params)}
    if where.exact:
        assert selected == expected
    else:
        assert selected >= expected


@pytest.mark.parametrize("expression", [
    "fault", "!ok", "responsetime > 2", "http.status != 200", 'http.url BEGINSWITH "http://api"',
    'http.url ENDSWITH "/items"', 'service("payments")', '!service("api.example.com")', "annotation.age",
    'annotation.gameid = "817DL6VO"', "annotation.order_count = 7", "annotation.vip = true",
    "NOT (fault OR error)", 'http.url CONTAINS ""',
])
def test_common_predicates_are_pushed_down_exactly(expression: str) -> None:
    assert compile_filter(expression).sql().exact


def test_facts_rebuilt_from_rows_filter_the_same() -> None:
    filt = compile_filter('service("payments") { fault } AND annotation.customer_tier = "gold"')
    assert all(filt.matches(TraceFacts.from_row(f.to_row())) == filt.matches(f) for f in FACTS.values())


@pytest.mark.parametrize(("expression", "candidates"), [
    ('service("api.example.com") { fault }', set()),  # no request of any trace faulted there
    ('service("api.example.com") { throttle }', {"api"}),
    ('service("api.example.com") { responsetime > 2 }', {"game"}),
    ('edge("api.example.com", "backend.example.com") { error }', {"game", "game_fast"}),
    ('service() { fault or throttle }', {"sdk", "shop", "api"}),
])
def test_scoped_bodies_narrow_the_pushed_down_candidates(db: sqlite3.Connection, expression: str,
                                                         candidates: set[str]) -> None:
    where = compile_filter(expression).sql()
    assert not where.exact
    assert {r[0] for r in db.execute(f"SELECT name FROM trace WHERE {where.clause}", where.params)} == candidates


def test_service_name_matches_both_lambda_nodes_and_id_disambiguates() -> None:
    failed, fine = trace_facts(lambda_invocation(error=True)), trace_facts(lambda_invocation(error=False))
    assert [(n.name, n.type) for n in failed.nodes] == [("my-fn", "AWS::Lambda"), ("my-fn", "AWS::Lambda::Function")]
    by_name = compile_filter('service("my-fn") { error }')
    by_id = compile_filter('service(id(name: "my-fn", type: "AWS::Lambda::Function")) { error }')
    other_type = compile_filter('service(id(name: "my-fn", type: "AWS::Lambda")) { error }')
    assert by_name.matches(failed) and by_id.matches(failed) and not other_type.matches(failed)
    assert not by_name.matches(fine) and not by_id.matches(fine)
    assert compile_filter('service(id(type: "AWS::Lambda"))').matches(fine)
    edge = compile_filter('edge(id(name: "my-fn", type: "AWS::Lambda"), id(type: "AWS::Lambda::Function")) { error }')
    assert edge.matches(failed) and not edge.matches(fine)
    # the trace itself answered 200: the function's error is visible only through service()/edge()
    assert not compile_filter("error").matches(failed)
