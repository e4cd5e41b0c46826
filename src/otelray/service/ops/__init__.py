"""The configuration operations of the local X-Ray API, as one table the router dispatches to.

``HANDLERS`` maps an X-Ray operation name (botocore's ``xray`` model) to
``handler(state, params, now) -> response``: ``state`` is the service's
:class:`~otelray.service.config_store.ConfigState`, ``params`` the JSON request body, ``now`` the
current epoch time; the response dict has the operation's output shape, with timestamps as epoch
floats. Handlers raise the exceptions of ``otelray.service.errors``; every rejected request is
counted in ``state.counters`` under ``rejected.<Operation>.<ErrorCode>``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from otelray.service.errors import ServiceError
from otelray.service.ops import destinations, encryption, groups, policies, sampling, tags, targets
from otelray.service.ops.unimplemented import NOT_IMPLEMENTED, not_implemented

if TYPE_CHECKING:
    from otelray.service.config_store import ConfigState

Handler = Callable[["ConfigState", dict[str, Any], float], dict[str, Any]]

_IMPLEMENTED: dict[str, Handler] = {
    "CreateSamplingRule": sampling.create_sampling_rule,
    "GetSamplingRules": sampling.get_sampling_rules,
    "UpdateSamplingRule": sampling.update_sampling_rule,
    "DeleteSamplingRule": sampling.delete_sampling_rule,
    "GetSamplingTargets": targets.get_sampling_targets,
    "GetSamplingStatisticSummaries": targets.get_sampling_statistic_summaries,
    "CreateGroup": groups.create_group,
    "GetGroup": groups.get_group,
    "GetGroups": groups.get_groups,
    "UpdateGroup": groups.update_group,
    "DeleteGroup": groups.delete_group,
    "TagResource": tags.tag_resource,
    "UntagResource": tags.untag_resource,
    "ListTagsForResource": tags.list_tags_for_resource,
    "GetEncryptionConfig": encryption.get_encryption_config,
    "PutEncryptionConfig": encryption.put_encryption_config,
    "PutResourcePolicy": policies.put_resource_policy,
    "DeleteResourcePolicy": policies.delete_resource_policy,
    "ListResourcePolicies": policies.list_resource_policies,
    "GetTraceSegmentDestination": destinations.get_trace_segment_destination,
    "UpdateTraceSegmentDestination": destinations.update_trace_segment_destination,
    "GetIndexingRules": destinations.get_indexing_rules,
    "UpdateIndexingRule": destinations.update_indexing_rule,
}


def _counted(operation: str, handler: Handler) -> Handler:
    """``handler``, counting each rejection in ``state.counters``."""

    @functools.wraps(handler)
    def wrapper(state: ConfigState, params: dict[str, Any], now: float) -> dict[str, Any]:
        if params is None:  # botocore sends no body for member-less inputs
            params = {}
        try:
            with state.lock:  # operations read then write; one at a time keeps that atomic
                return handler(state, params, now)
        except ServiceError as exc:
            state.count(f"rejected.{operation}.{exc.code}")
            raise

    return wrapper


#: operation name -> handler(state, params, now); every operation otelray.service.ops answers
HANDLERS: dict[str, Handler] = {
    name: _counted(name, handler)
    for name, handler in {**_IMPLEMENTED, **{op: not_implemented(op) for op in NOT_IMPLEMENTED}}.items()
}

__all__ = ["HANDLERS", "Handler"]
