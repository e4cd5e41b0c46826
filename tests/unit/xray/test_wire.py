from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from otelray.xray.errors import DatagramError
from otelray.xray.wire import MAX_DATAGRAM_BYTES, decode_datagram, encode_datagram

# The exact bytes aws-xray-sdk 2.15.0 sent (see tests/fixtures/xray/README.md).
SDK_DATAGRAM = (
    b'{"format":"json","version":1}\n{"id": "397a9c64df2a3f6e", "name": "envcheck-xray-sdk", '
    b'"start_time": 1795541869.2729816, "trace_id": "1-6b05cb6d-9b8ca1600cd26c5077ad7412", "end_time": 1795541869.2731633}'
)


def test_sdk_datagram_decodes_to_its_document():
    body = decode_datagram(SDK_DATAGRAM)
    assert json.loads(body)["id"] == "397a9c64df2a3f6e"


def test_encode_then_decode_round_trips():
    doc = {"id": "397a9c64df2a3f6e", "name": "svc"}
    assert json.loads(decode_datagram(encode_datagram(doc))) == doc


def test_header_with_spaces_and_upper_case_format_is_accepted():
    assert decode_datagram(b'{"format": "JSON", "version": 1}\n{"id":"x"}') == b'{"id":"x"}'


@pytest.mark.parametrize(
    ("datagram", "reason"),
    [
        (b'{"id":"x"}', "missing_header"),
        (b'{"format":"json","version":2}\n{"id":"x"}', "bad_header"),
        (b'{"format":"xml","version":1}\n{"id":"x"}', "bad_header"),
        (b"not json\n{}", "bad_header"),
        (b'{"format":"json","version":1}\n  ', "missing_body"),
        (b'{"format":"json","version":1}\n' + b"x" * MAX_DATAGRAM_BYTES, "too_large"),
    ],
)
def test_bad_datagrams_are_rejected_with_a_reason(datagram, reason):
    with pytest.raises(DatagramError) as info:
        decode_datagram(datagram)
    assert info.value.reason == reason


@settings(max_examples=500)
@given(st.binary(max_size=2048))
def test_random_bytes_never_escape_as_another_exception(data):
    try:
        decode_datagram(data)
    except DatagramError:
        pass
