from __future__ import annotations

import pytest

from otelray.collector.config.loader import expand, load_raw, merge
from otelray.collector.errors import ConfigErrors


def test_expansion_forms():
    env = {"PORT": "4317", "REGION": "us-west-2", "FLAG": "true"}
    out = expand({"a": "${env:PORT}", "b": "0.0.0.0:${PORT}", "c": "${env:MISSING:-fallback}",
                  "d": "$${env:PORT}", "e": ["${env:REGION}"], "f": "${FLAG}", "g": "${env:MISSING:-10}"}, env)
    assert out == {"a": 4317, "b": "0.0.0.0:4317", "c": "fallback", "d": "${env:PORT}", "e": ["us-west-2"],
                   "f": True, "g": 10}


def test_file_expansion(tmp_path):
    (tmp_path / "region.txt").write_text("eu-west-1")
    assert expand({"r": f"${{file:{tmp_path}/region.txt}}"}, {}) == {"r": "eu-west-1"}


def test_unresolvable_references_are_all_reported(tmp_path):
    with pytest.raises(ConfigErrors) as info:
        expand({"a": {"b": "${s3:bucket/key}"}, "c": "${file:/nonexistent/x}", "d": "${env:1BAD}"}, {})
    assert str(info.value) == (
        'a::b: unsupported scheme "s3" in "${s3:bucket/key}" (use env or file)\n'
        "c: cannot read ${file:/nonexistent/x}: No such file or directory\n"
        'd: environment variable "1BAD" has invalid name'
    )


def test_merge_maps_deeply_and_replaces_lists():
    assert merge({"a": {"x": 1, "l": [1, 2]}, "b": 1}, {"a": {"y": 2, "l": [3]}}) == {"a": {"x": 1, "y": 2, "l": [3]}, "b": 1}


def test_several_sources_merge_in_order(tmp_path):
    base = tmp_path / "base.yaml"
    base.write_text("processors:\n  batch:\n    timeout: 1s\n    send_batch_size: 50\n")
    over = tmp_path / "over.yaml"
    over.write_text("processors:\n  batch:\n    timeout: 2s\n")
    raw = load_raw([str(base), f"file:{over}", "yaml:processors::batch::send_batch_max_size: 100"], env={})
    assert raw == {"processors": {"batch": {"timeout": "2s", "send_batch_size": 50, "send_batch_max_size": 100}}}


def test_aot_config_content_replaces_config_files(tmp_path):
    ignored = tmp_path / "c.yaml"
    ignored.write_text("receivers: {x: {}}\n")
    raw = load_raw([str(ignored)], env={"AOT_CONFIG_CONTENT": "exporters:\n  debug:\n", "R": "1"})
    assert raw == {"exporters": {"debug": None}}


def test_env_source():
    assert load_raw(["env:CFG"], env={"CFG": "a: ${env:V}", "V": "x"}) == {"a": "x"}


def test_read_and_syntax_errors_name_file_line_and_column(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("receivers:\n  otlp:\n    protocols: [grpc\n")
    with pytest.raises(ConfigErrors) as info:
        load_raw([str(bad), str(tmp_path / "missing.yaml"), "https://example.com/c.yaml"], env={})
    lines = str(info.value).splitlines()
    assert lines[0].startswith(f"{bad}: invalid YAML at line 4, column 1: did not find expected ',' or ']'")
    assert lines[1] == f"{tmp_path / 'missing.yaml'}: cannot read config file: No such file or directory"
    assert lines[2].startswith("https://example.com/c.yaml: the https config provider is not supported")


def test_no_source_and_non_mapping():
    with pytest.raises(ConfigErrors, match="at least one config flag must be provided"):
        load_raw([], env={})
    with pytest.raises(ConfigErrors, match="must be a YAML mapping, got list"):
        load_raw(["env:C"], env={"C": "- a\n- b"})
