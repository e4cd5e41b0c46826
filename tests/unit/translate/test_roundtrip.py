"""Round trip X-Ray document → OTLP (receiver) → X-Ray document (exporter).

Hypothesis generates valid segment documents with embedded subsegments carrying http, aws, sql,
annotations, metadata, cause, user, traced and in-progress fields. Each document goes through
``document_to_resource_spans`` (reference adot-collector §2.2) and ``translate_spans`` (§1), and every
field the receiver keeps must come back. Where the pair legitimately differs — a field the receiver
drops, or the exporter derives differently — the rule is written out in ``_expected`` with the section
that states it, so a change to either translator shows up here as a failure.
"""

from __future__ import annotations

import json
import string
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans

from otelray.translate.from_xray import document_to_resource_spans
from otelray.translate.options import TranslateOptions
from otelray.translate.to_xray import translate_spans
from tests.unit.translate.to_xray.golden import counter_ids

Doc = dict[str, Any]
T0 = 1_700_000_000.0
#: characters fixSegmentName keeps, so a span-name fallback does not rewrite the name (§1.4 step 12)
NAME_CHARS = string.ascii_letters + string.digits + " _.:/%&#=+-@"
SQL_SYSTEMS = ("db2", "derby", "hive", "mariadb", "mssql", "mysql", "oracle", "postgresql", "sqlite", "teradata")
AWS_KEPT = ("operation", "region", "request_id", "queue_url", "table_name")
MAX_SAFE = 2**53  # JSON numbers pass through Go float64 in the receiver (§2.2 annotations/metadata)

CHARACTERS = st.characters(codec="utf-8")


def _text(min_size: int = 0, max_size: int = 20) -> st.SearchStrategy[str]:
    return st.text(CHARACTERS, min_size=min_size, max_size=max_size)


names = st.text(NAME_CHARS, min_size=1, max_size=30)
words = st.text(string.ascii_lowercase, min_size=1, max_size=8)
texts = _text()
scalars = st.one_of(texts, st.booleans(), st.integers(-MAX_SAFE, MAX_SAFE),
                    st.floats(allow_nan=False, allow_infinity=False))
json_values = st.recursive(
    st.one_of(st.none(), texts, st.booleans(), st.integers(-MAX_SAFE, MAX_SAFE),
              st.floats(allow_nan=False, allow_infinity=False)),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(words, inner, max_size=3),
    max_leaves=4,
)


def _http(*, root: bool) -> st.SearchStrategy[Doc]:
    request = {"url": st.builds("https://{}.example.com/{}".format, words, words),
               "user_agent": _text(1, 20), "x_forwarded_for": st.booleans()}
    if root:
        request["client_ip"] = st.ip_addresses().map(str)
    response = {"status": st.one_of(st.integers(100, 699), st.sampled_from([399, 400, 429, 499, 500, 599])),
                "content_length": st.integers(0, 10**9)}
    return st.fixed_dictionaries({
        "request": st.fixed_dictionaries({"method": st.sampled_from(["GET", "POST", "PUT", "DELETE"])},
                                         optional=request),
    }, optional={"response": st.fixed_dictionaries({}, optional=response)})


_aws = st.fixed_dictionaries({}, optional={
    **{key: st.text(string.ascii_letters + string.digits + "-/:.", min_size=1, max_size=20) for key in AWS_KEPT},
    "account_id": st.text(string.digits, min_size=12, max_size=12), "retries": st.integers(0, 10),
})
_exception = st.fixed_dictionaries({"id": st.text("0123456789abcdef", min_size=16, max_size=16)}, optional={
    "type": _text(1, 20), "message": _text(1, 30), "remote": st.booleans(),
    "stack": st.builds(lambda w, n: [{"path": w + ".py", "line": n, "label": w}], words, st.integers(1, 999)),
})
_cause = st.fixed_dictionaries({"working_directory": st.just("/srv"),
                                "exceptions": st.lists(_exception, min_size=1, max_size=2)})


@st.composite
def _sql(draw: st.DrawFn) -> tuple[str, Doc]:
    """A segment name of the form the exporter derives (``db@host``, §1.4 step 7) and its sql block."""
    db, host = draw(words), draw(words) + "." + draw(words)
    system = draw(st.sampled_from(SQL_SYSTEMS))
    block: Doc = {"url": f"jdbc:{system}://{host}:{draw(st.integers(1, 65535))}/{db}", "database_type": system}
    for key in ("user", "sanitized_query", "database_version", "driver_version"):
        if draw(st.booleans()):
            block[key] = draw(_text(1, 20))
    return f"{db}@{host}", block


@st.composite
def _entity(draw: st.DrawFn, ids: set[str], depth: int, *, root: bool) -> Doc:
    span_id = draw(st.integers(1, 2**64 - 1).map(lambda n: f"{n:016x}").filter(lambda i: i not in ids))
    ids.add(span_id)
    start = T0 + draw(st.integers(0, 10**6)) / 1000
    doc: Doc = {"id": span_id, "name": draw(names), "start_time": start}
    if draw(st.integers(0, 4)) == 0:
        doc["in_progress"] = True
    else:
        doc["end_time"] = start + draw(st.integers(0, 10**5)) / 1000
    if not root:
        doc["namespace"] = draw(st.sampled_from([None, "local", "remote", "aws"]))
        if doc["namespace"] is None:
            del doc["namespace"]
        if doc.get("namespace") != "aws" and draw(st.integers(0, 3)) == 0:
            doc["name"], doc["sql"] = draw(_sql())
    optional = {
        "http": _http(root=root), "aws": _aws, "cause": _cause, "user": _text(1, 12),
        "traced": st.booleans(),
        "annotations": st.dictionaries(words.map(lambda k: "a_" + k), scalars, max_size=4),
        "metadata": st.dictionaries(st.sampled_from(["default", "app", "debug", "ns_1"]),
                                    st.dictionaries(words, json_values, max_size=3), max_size=3),
    }
    doc.update(draw(st.fixed_dictionaries({}, optional=optional)))
    if depth < 2:
        children = [draw(_entity(ids, depth + 1, root=False)) for _ in range(draw(st.integers(0, 2 - depth)))]
        if children:
            doc["subsegments"] = children
    return doc


@st.composite
def segment_documents(draw: st.DrawFn) -> Doc:
    """A valid X-Ray segment document: a root segment with embedded subsegments."""
    epoch = draw(st.integers(0x50000000, 0x7FFFFFFF))
    trace_id = f"1-{epoch:08x}-{draw(st.integers(0, 2**96 - 1)):024x}"
    return {"trace_id": trace_id, **draw(_entity(set(), 0, root=True))}


def _flatten(doc: Doc, parent: str | None = None) -> list[tuple[Doc, str | None]]:
    out = [(doc, parent)]
    for child in doc.get("subsegments", []):
        out.extend(_flatten(child, doc["id"]))
    return out


def _flags(entity: Doc) -> tuple[bool, bool, bool]:
    """(fault, error, throttle) the exporter derives: the receiver keeps none of the three flags; it sets
    status ERROR for a cause or an HTTP status outside [100, 399) (§2.2), and the exporter reads the status
    code first, then the span status (§1.11)."""
    status = entity.get("http", {}).get("response", {}).get("status")
    if status is not None and 400 <= status <= 499:
        return False, True, status == 429
    if status is not None and 500 <= status <= 599:
        return True, False, False
    span_error = "cause" in entity or (status is not None and not 100 <= status < 399)
    return span_error, False, False


def _expected_http(entity: Doc) -> Doc | None:
    if "http" not in entity:
        return None
    request = {k: v for k, v in entity["http"]["request"].items() if k != "x_forwarded_for"}
    if "client_ip" in request:  # §1.5: true whenever client_ip is set without a peer ip
        request["x_forwarded_for"] = True
    response = {"content_length": 0}  # §1.5: always emitted; http.response_content_length is not mapped
    if "status" in entity["http"].get("response", {}):
        response["status"] = entity["http"]["response"]["status"]
    return {"request": request, "response": response}


def _expected_default_metadata(entity: Doc, root: Doc, is_root: bool) -> Doc:
    """The default metadata namespace: the document's own, plus every attribute the receiver writes that
    the exporter does not consume (§1.12 "else → metadata.default[key]")."""
    default = dict(entity.get("metadata", {}).get("default", {}))
    request, response = entity.get("http", {}).get("request", {}), entity.get("http", {}).get("response", {})
    if "x_forwarded_for" in request:
        default["aws.xray.x_forwarded_for"] = request["x_forwarded_for"]
    if "content_length" in response:
        default["http.response_content_length"] = response["content_length"]
    if "retries" in entity.get("aws", {}):
        default["aws.xray.retries"] = entity["aws"]["retries"]
    if "traced" in entity:
        default["aws.xray.traced"] = entity["traced"]
    if entity.get("namespace") == "aws":
        default["aws.service"] = entity["name"]
    if is_root:  # resource attributes are stored on segments only (§1.2), prefixed otel.resource.
        default["otel.resource.service.name"] = root["name"]
        default["otel.resource.cloud.provider"] = "aws" if "aws" in root else "unknown"
        if "account_id" in root.get("aws", {}):
            default["otel.resource.cloud.account.id"] = root["aws"]["account_id"]
    return default


def _expected_aws(entity: Doc, root: Doc) -> Doc | None:
    """Kept aws fields. The resource is built from the root document only, so without a root ``aws``
    block cloud.provider is ``unknown`` and the exporter writes no aws block at all (§1.7, §2.2);
    ``retries`` has no exporter source and ends in metadata."""
    if "aws" not in root:
        return None
    block = {k: v for k, v in entity.get("aws", {}).items() if k in AWS_KEPT}
    account = entity.get("aws", {}).get("account_id") or root["aws"].get("account_id")
    if account:
        block["account_id"] = account
    return block


def _expected(entity: Doc, parent: str | None, root: Doc) -> Doc:
    is_root = parent is None
    fault, error, throttle = _flags(entity)
    namespace = {"aws": "aws", "remote": "remote"}.get(entity.get("namespace", ""))  # "local" → INTERNAL
    metadata = {ns: v for ns, v in entity.get("metadata", {}).items() if ns != "default"}
    default = _expected_default_metadata(entity, root, is_root)
    if default:
        metadata["default"] = default
    expected: Doc = {
        "name": entity["name"], "trace_id": root["trace_id"], "parent_id": parent,
        "type": None if is_root else "subsegment", "namespace": namespace, "user": entity.get("user"),
        "in_progress": entity.get("in_progress"), "http": _expected_http(entity),
        "fault": fault, "error": error, "throttle": throttle, "aws": _expected_aws(entity, root),
        "annotations": entity.get("annotations") or None, "metadata": metadata or None,
    }
    if "sql" in entity:  # §1.6: url := span name, connection_string := connection + "/" + db name
        sql = entity["sql"]
        expected["sql"] = {"connection_string": sql["url"], "url": entity["name"],
                           "database_type": sql["database_type"],
                           **{k: sql[k] for k in ("user", "sanitized_query") if k in sql}}
    return expected


def _check_cause(entity: Doc, actual: Doc) -> None:
    """Exceptions keep type and message; ids are fresh, ``remote`` is the span kind (CLIENT for the aws and
    remote namespaces), and frames are dropped: the resource has no SDK language to pick a parser (§1.10)."""
    if "cause" not in entity:
        assert "cause" not in actual
        return
    remote = entity.get("namespace") in ("aws", "remote")
    got = actual["cause"]["exceptions"]
    assert [(e["type"], e["message"], e["remote"], "stack" in e) for e in got] == [
        (e.get("type", ""), e.get("message", ""), remote, False) for e in entity["cause"]["exceptions"]
    ]


def _numbers_as_float(value: Any) -> Any:
    """JSON numbers compared as the float64 both ends hold: Go writes 4.4e16 as ``44214080597998420``,
    which Python would read as an int that is not exactly the float."""
    if isinstance(value, dict):
        return {k: _numbers_as_float(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_numbers_as_float(v) for v in value]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


def _assert_same_scalars(expected: Doc | None, actual: Doc | None) -> None:
    """Equal as float64 values, with types kept: a bool stays a bool, a string a string."""
    assert _numbers_as_float(expected or None) == _numbers_as_float(actual or None)
    for key, value in (expected or {}).items():
        assert isinstance(actual[key], bool) == isinstance(value, bool), key
        assert isinstance(actual[key], str) == isinstance(value, str), key


def _roundtrip(doc: Doc) -> dict[str, Doc]:
    spans = document_to_resource_spans(json.loads(json.dumps(doc)))
    assert isinstance(spans, ResourceSpans), spans
    result = translate_spans([spans], options=TranslateOptions(), now=T0, new_id=counter_ids())
    assert result.errors == []
    out = [json.loads(text) for text in result.documents]
    return {d["id"]: d for d in out}


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(segment_documents())
def test_document_survives_receiver_then_exporter(doc: Doc) -> None:
    entities = _flatten(doc)
    actual_by_id = _roundtrip(doc)
    assert sorted(actual_by_id) == sorted(e["id"] for e, _ in entities)
    for entity, parent in entities:
        actual = actual_by_id[entity["id"]]
        expected = _expected(entity, parent, doc)
        for key, value in expected.items():
            if key == "annotations":
                _assert_same_scalars(value, actual.get(key))
            elif key == "metadata":
                assert _numbers_as_float(actual.get(key)) == _numbers_as_float(value), (entity["id"], key)
            elif key == "aws" and value is not None:  # the exporter adds the resource's xray block
                assert {k: actual[key].get(k) for k in value} == value, (entity["id"], actual[key], value)
                assert not {*AWS_KEPT, "account_id"} - set(value) & set(actual[key]), actual[key]
            else:
                assert actual.get(key) == value, (entity["id"], key, actual.get(key), value)
        assert abs(actual["start_time"] - entity["start_time"]) < 1e-6
        if "end_time" in entity:
            assert abs(actual["end_time"] - entity["end_time"]) < 1e-6
        else:
            assert "end_time" not in actual
        _check_cause(entity, actual)


def test_u10fffe_in_text_survives() -> None:
    """Go's encoder writes U+10FFFE (valid UTF-8) unchanged; a user name holding it must come back."""
    doc = {"trace_id": "1-6553f100-3fd5b1e8c0b1a2d3e4f50617", "id": "a1a2a3a4a5a6a7a8", "name": "shop",
           "start_time": T0, "end_time": T0 + 1, "user": "u\U0010fffe"}
    assert _roundtrip(doc)["a1a2a3a4a5a6a7a8"]["user"] == "u\U0010fffe"


def test_rules_are_not_vacuous() -> None:
    """The property's expectations name real fields: a hand-built document exercises each rule once."""
    doc = {
        "trace_id": "1-6553f100-3fd5b1e8c0b1a2d3e4f50617", "id": "a1a2a3a4a5a6a7a8", "name": "shop",
        "start_time": T0, "end_time": T0 + 1, "user": "u1", "aws": {"account_id": "123456789012"},
        "http": {"request": {"method": "GET", "client_ip": "10.0.0.1", "x_forwarded_for": False},
                 "response": {"status": 429, "content_length": 7}},
        "annotations": {"a_n": 3, "a_b": True}, "metadata": {"default": {"k": [1, None]}, "app": {"x": {}}},
        "subsegments": [{"id": "b1b2b3b4b5b6b7b8", "name": "orders@db.example", "start_time": T0 + 0.1,
                         "in_progress": True, "namespace": "remote",
                         "sql": {"url": "jdbc:mysql://db.example:3306/orders", "database_type": "mysql"},
                         "cause": {"exceptions": [{"id": "0123456789abcdef", "type": "E", "message": "m"}]}}],
    }
    actual = _roundtrip(doc)
    root, child = actual["a1a2a3a4a5a6a7a8"], actual["b1b2b3b4b5b6b7b8"]
    assert root["http"] == {"request": {"x_forwarded_for": True, "method": "GET", "client_ip": "10.0.0.1"},
                            "response": {"status": 429, "content_length": 0}}
    assert (root["fault"], root["error"], root["throttle"]) == (False, True, True)
    assert root["annotations"] == {"a_b": True, "a_n": 3}
    assert root["metadata"]["default"]["aws.xray.x_forwarded_for"] is False
    assert root["metadata"]["app"] == {"x": {}}
    assert child["sql"] == {"connection_string": "jdbc:mysql://db.example:3306/orders", "url": "orders@db.example",
                            "database_type": "mysql"}
    assert child["in_progress"] is True and "end_time" not in child
    assert child["cause"]["exceptions"][0] == {"id": "0000000000000001", "message": "m", "type": "E", "remote": True}
    assert child["aws"]["account_id"] == "123456789012"
