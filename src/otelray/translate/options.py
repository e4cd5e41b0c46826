"""Options of the OTLP → X-Ray translation (awsxray exporter config and feature gates).

One frozen value replaces the positional ``indexedAttrs, indexAllAttrs, logGroupNames,
skipTimestampValidation`` arguments of contrib's ``MakeSegment`` (awsxray exporter README,
"Exporter Configuration"; feature gates ``exporter.awsxray.skiptimestampvalidation`` and
``exporter.xray.allowDot``, both Beta and therefore on by default).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from otelray.xray.segment import MAX_DOCUMENT_BYTES


@dataclass(frozen=True, slots=True)
class TranslateOptions:
    """How spans become segment documents.

    Attributes:
        indexed_attributes: attribute names turned into annotations (``indexed_attributes``).
        index_all_attributes: every scalar attribute becomes an annotation (``index_all_attributes``).
        log_group_names: ``aws_log_groups`` used when the resource names no log group.
        skip_timestamp_validation: do not reject trace ids whose first 4 bytes are not a recent
            epoch (gate ``exporter.awsxray.skiptimestampvalidation``, on by default).
        allow_dot_in_annotation_keys: keep ``.`` in annotation keys (gate ``exporter.xray.allowDot``,
            on by default); when off ``http.method`` becomes ``http_method``.
        max_document_bytes: a document larger than this is an error for its span (X-Ray's 64 KB).
        validate_documents: check every document with ``otelray.xray.validate`` and turn one X-Ray
            would refuse (a name over 200 characters, more than 50 annotations, …) into an error for
            its span, with X-Ray's error code. Off by default, like the exporter, which leaves that
            to the service (X-Ray or the otelray backend answers ``UnprocessedTraceSegments``).
    """

    indexed_attributes: tuple[str, ...] = ()
    index_all_attributes: bool = False
    log_group_names: tuple[str, ...] = ()
    skip_timestamp_validation: bool = True
    allow_dot_in_annotation_keys: bool = True
    max_document_bytes: int = MAX_DOCUMENT_BYTES
    validate_documents: bool = False
    #: ``indexed_attributes`` as a set (empty when ``index_all_attributes`` is on); derived.
    indexed_set: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "indexed_attributes", tuple(self.indexed_attributes))
        object.__setattr__(self, "log_group_names", tuple(self.log_group_names))
        indexed = frozenset() if self.index_all_attributes else frozenset(self.indexed_attributes)
        object.__setattr__(self, "indexed_set", indexed)
