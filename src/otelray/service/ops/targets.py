"""GetSamplingTargets and GetSamplingStatisticSummaries.

X-Ray developer guide "Using sampling rules with the X-Ray API" and API reference: every ~10 s each
SDK reports, per rule, how many requests matched (RequestCount), how many it recorded
(SampledCount) and how many of those it borrowed (BorrowCount), with its ClientID (24 hex
characters) and a Timestamp. The answer holds, per reported rule, the rule's FixedRate, the
client's ReservoirQuota and ReservoirQuotaTTL (see ``reservoir``) and the reporting ``Interval``;
``LastRuleModification`` tells clients to refetch rules. Statistics that cannot be used — an
unknown rule, a malformed ClientID, impossible counts — go to ``UnprocessedStatistics`` with
ErrorCode ``400`` while the other documents are processed. Accepted statistics are summed over all
clients into 10-second windows (by the window the report's Timestamp falls in) and served by
GetSamplingStatisticSummaries, newest window first. otelray does not grant adaptive-sampling boosts:
boost statistics come back in ``UnprocessedBoostStatistics`` saying so.
"""

from __future__ import annotations

import string
from typing import TYPE_CHECKING, Any

from otelray.service.errors import InvalidRequestException
from otelray.service.ops import _params, sampling
from otelray.service.ops.reservoir import INTERVAL

if TYPE_CHECKING:
    from otelray.service.config_store import ConfigState

MAX_DOCUMENTS = 25
#: width of a statistics summary window, in seconds (the API's "10-second window")
WINDOW = 10
#: how long statistic summaries are kept
RETENTION = 3600.0
#: summaries per GetSamplingStatisticSummaries page
PAGE_SIZE = 100
_HEX = frozenset(string.hexdigits)


class _Unprocessed(Exception):
    """A statistics document that goes to UnprocessedStatistics (never leaves this module)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _statistics(doc: object, rules: dict[str, dict[str, Any]], now: float) -> tuple[str, dict[str, Any]]:
    """Validated ``(rule name, statistics)`` of one document; raises _Unprocessed."""
    if not isinstance(doc, dict):
        raise _Unprocessed("SamplingStatisticsDocument must be a structure")
    name = doc.get("RuleName")
    try:
        _params.text(doc, "RuleName", min_len=1, max_len=32)
        client = _params.text(doc, "ClientID", min_len=24, max_len=24)
        if not set(client) <= _HEX:
            raise _Unprocessed("ClientID must be 24 hexadecimal characters")
        stats = {
            "ClientID": client.lower(),
            "Timestamp": _params.timestamp(_required(doc, "Timestamp"), "Timestamp"),
            "RequestCount": _params.integer(doc, "RequestCount", required=True, low=0),
            "SampledCount": _params.integer(doc, "SampledCount", required=True, low=0),
            "BorrowCount": _params.integer(doc, "BorrowCount", low=0) or 0,
        }
    except InvalidRequestException as exc:
        raise _Unprocessed(exc.message) from None
    if stats["SampledCount"] > stats["RequestCount"] or stats["BorrowCount"] > stats["RequestCount"]:
        raise _Unprocessed("SampledCount and BorrowCount cannot exceed RequestCount")
    if stats["Timestamp"] < now - RETENTION:
        raise _Unprocessed(f"Statistics are too old: Timestamp is more than {RETENTION:.0f} seconds ago")
    if stats["Timestamp"] > now + RETENTION:
        raise _Unprocessed(f"Timestamp is more than {RETENTION:.0f} seconds in the future")
    if name not in rules:
        raise _Unprocessed("Unknown rule")
    return str(name), stats


def _required(doc: dict[str, Any], name: str) -> object:
    if doc.get(name) is None:
        raise _Unprocessed(f"{name} is required")
    return doc[name]


def get_sampling_targets(state: ConfigState, params: dict[str, Any], now: float) -> dict[str, Any]:
    """GetSamplingTargets."""
    docs = _params.items(params, "SamplingStatisticsDocuments", required=True, max_len=MAX_DOCUMENTS)
    boosts = _params.items(params, "SamplingBoostStatisticsDocuments", max_len=MAX_DOCUMENTS)
    rules = {r["SamplingRule"]["RuleName"]: r["SamplingRule"] for r in sampling.records(state)}
    targets: dict[str, dict[str, Any]] = {}
    unprocessed: list[dict[str, Any]] = []
    windows: dict[tuple[str, float], list[int]] = {}
    for doc in docs:
        try:
            name, stats = _statistics(doc, rules, now)
        except _Unprocessed as exc:
            unprocessed.append({**_rule_name(doc), "ErrorCode": "400", "Message": exc.message})
            continue
        window = stats["Timestamp"] // WINDOW * WINDOW
        sums = windows.setdefault((name, window), [0, 0, 0])
        sums[0] += stats["RequestCount"]
        sums[1] += stats["BorrowCount"]
        sums[2] += stats["SampledCount"]
        rule = rules[name]
        quota, ttl = state.reservoirs.assign(
            name, rule["ReservoirSize"], stats["ClientID"], stats["RequestCount"], now
        )
        targets[name] = {
            "RuleName": name,
            "FixedRate": rule["FixedRate"],
            "ReservoirQuota": quota,
            "ReservoirQuotaTTL": ttl,
            "Interval": INTERVAL,
        }
    _record(state, windows, now)
    if unprocessed:
        state.count("sampling_statistics_rejected", len(unprocessed))
    boost_rejects = [_boost_unsupported(doc) for doc in boosts]
    if boost_rejects:
        state.count("sampling_boost_statistics_rejected", len(boost_rejects))
    return {
        "SamplingTargetDocuments": list(targets.values()),
        "LastRuleModification": sampling.last_modification(state),
        "UnprocessedStatistics": unprocessed,
        "UnprocessedBoostStatistics": boost_rejects,
    }


def _rule_name(doc: object) -> dict[str, Any]:
    name = doc.get("RuleName") if isinstance(doc, dict) else None
    return {"RuleName": name} if isinstance(name, str) else {}


def _boost_unsupported(doc: object) -> dict[str, Any]:
    return {
        **_rule_name(doc),
        "ErrorCode": "400",
        "Message": "otelray does not implement adaptive sampling boosts; see the README compatibility table",
    }


def _record(state: ConfigState, windows: dict[tuple[str, float], list[int]], now: float) -> None:
    with state.transaction(fsync=False) as conn:
        conn.executemany(
            "INSERT INTO sampling_stats (rule, window, request, borrow, sampled) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(rule, window) DO UPDATE SET request = request + excluded.request, "
            "borrow = borrow + excluded.borrow, sampled = sampled + excluded.sampled",
            [(rule, window, *sums) for (rule, window), sums in windows.items()],
        )
        conn.execute("DELETE FROM sampling_stats WHERE window < ?", (now - RETENTION,))


def get_sampling_statistic_summaries(
    state: ConfigState, params: dict[str, Any], now: float
) -> dict[str, Any]:
    """GetSamplingStatisticSummaries (paginated, newest window first)."""
    rows = state.query(
        "SELECT rule, window, request, borrow, sampled FROM sampling_stats "
        "WHERE window >= ? ORDER BY window DESC, rule",
        (now - RETENTION,),
    )
    summaries = [
        {
            "RuleName": rule,
            "Timestamp": window,
            "RequestCount": request,
            "BorrowCount": borrow,
            "SampledCount": sampled,
        }
        for rule, window, request, borrow, sampled in rows
    ]
    chunk, token = _params.page(
        summaries, params.get("NextToken"), PAGE_SIZE, "GetSamplingStatisticSummaries"
    )
    return {"SamplingStatisticSummaries": chunk, **({"NextToken": token} if token else {})}
