"""``TranslateOptions``: defaults follow the exporter's config and feature gates."""

from __future__ import annotations

import dataclasses

import pytest

from otelray.translate.options import TranslateOptions
from otelray.xray.segment import MAX_DOCUMENT_BYTES


def test_defaults_match_the_exporter() -> None:
    options = TranslateOptions()
    assert options.indexed_attributes == () and options.index_all_attributes is False
    assert options.skip_timestamp_validation is True  # gate exporter.awsxray.skiptimestampvalidation (Beta)
    assert options.allow_dot_in_annotation_keys is True  # gate exporter.xray.allowDot (Beta)
    assert options.max_document_bytes == MAX_DOCUMENT_BYTES == 65536
    assert options.validate_documents is False


def test_lists_become_tuples_and_the_value_is_frozen_and_hashable() -> None:
    options = TranslateOptions(indexed_attributes=["a", "b"], log_group_names=["g"])  # type: ignore[arg-type]
    assert options.indexed_attributes == ("a", "b") and options.log_group_names == ("g",)
    assert options.indexed_set == frozenset({"a", "b"})
    assert hash(options) == hash(TranslateOptions(indexed_attributes=("a", "b"), log_group_names=("g",)))
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.index_all_attributes = True  # type: ignore[misc]


def test_index_all_ignores_the_indexed_list() -> None:
    assert TranslateOptions(indexed_attributes=("a",), index_all_attributes=True).indexed_set == frozenset()
