"""Per-rule reservoir quotas shared between the clients of a sampling rule.

A sampling rule's ``ReservoirSize`` is a per-second budget for *all* services using the rule
together (X-Ray API reference, ``SamplingRule.ReservoirSize``: "The reservoir is not used directly by
services, but applies to all services using the rule collectively"); ``GetSamplingTargets`` hands
each client (``ClientID``) a ``ReservoirQuota`` valid until ``ReservoirQuotaTTL``, "based on the
recent sampling results of all services that called GetSamplingTargets". AWS does not publish its
split; otelray's is:

* a client's demand is the request rate it reported (``RequestCount`` over the time since its
  previous report for the rule, the 10 s ``Interval`` for a first report);
* the reservoir is divided max-min fairly over the clients active in the last ``ACTIVE_WINDOW``
  seconds (water-filling: a client never gets more than its demand while another wants more; any
  capacity left after all demands are met is spread evenly), then rounded to whole requests by
  largest remainder, ties rotated every interval so a 1/s reservoir alternates between clients;
* a client is never granted more than the reservoir minus the unexpired quotas still held by the
  others, so at every instant the quotas in force add up to at most ``ReservoirSize`` — the
  guarantee X-Ray gives. Quotas rebalance as each client reports (every ``INTERVAL`` seconds);
  when a rule's reservoir shrinks, the quotas granted before stay counted until they are replaced,
  so the new size is reached without a moment of over-commitment.
"""

from __future__ import annotations

import threading
import zlib
from dataclasses import dataclass

#: seconds between GetSamplingTargets calls that otelray asks clients for
INTERVAL = 10
#: lifetime of a quota; three intervals, so one late report does not force clients to borrow
QUOTA_TTL = 3 * INTERVAL
#: a client that has not reported for this long no longer counts toward the split
ACTIVE_WINDOW = QUOTA_TTL


@dataclass(slots=True)
class _Client:
    last_report: float
    demand: float = 0.0
    quota: int = 0
    expires: float = 0.0


class ReservoirBook:
    """Quota bookkeeping for every rule (in memory: quotas live for seconds). Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: dict[str, dict[str, _Client]] = {}

    def assign(
        self, rule: str, reservoir: int, client_id: str, requests: int, now: float
    ) -> tuple[int, float]:
        """Record a client's report for ``rule`` and return its ``(quota, quota_ttl)``."""
        with self._lock:
            clients = self._rules.setdefault(rule, {})
            _prune(clients, now)
            client = clients.get(client_id)
            elapsed = now - client.last_report if client is not None else float(INTERVAL)
            if client is None:
                client = clients[client_id] = _Client(last_report=now)
            client.demand = requests / min(max(elapsed, 1.0), float(ACTIVE_WINDOW))
            client.last_report = now
            active = {cid: c.demand for cid, c in clients.items() if c.last_report >= now - ACTIVE_WINDOW}
            target = fair_shares(reservoir, active, rotation=int(now // INTERVAL))[client_id]
            held = sum(c.quota for cid, c in clients.items() if cid != client_id and c.expires > now)
            client.quota = max(0, min(target, reservoir - held))
            client.expires = now + QUOTA_TTL
            return client.quota, client.expires

    def forget(self, rule: str) -> None:
        """Drop every quota of ``rule`` (the rule changed or was deleted)."""
        with self._lock:
            self._rules.pop(rule, None)

    def clients(self, rule: str, now: float) -> int:
        """Number of clients currently counted for ``rule``."""
        with self._lock:
            clients = self._rules.get(rule, {})
            return sum(1 for c in clients.values() if c.last_report >= now - ACTIVE_WINDOW)


def _prune(clients: dict[str, _Client], now: float) -> None:
    stale = [cid for cid, c in clients.items() if c.expires <= now and c.last_report < now - ACTIVE_WINDOW]
    for cid in stale:
        del clients[cid]


def fair_shares(units: int, demands: dict[str, float], *, rotation: int = 0) -> dict[str, int]:
    """Split ``units`` whole requests per second max-min fairly over ``demands`` (requests/s).

    The result always sums to ``units`` when there is at least one client.
    """
    if not demands:
        return {}
    order = sorted(demands, key=lambda cid: (demands[cid], cid))
    shares: dict[str, float] = {}
    remaining = float(units)
    for index, cid in enumerate(order):
        grant = min(demands[cid], remaining / (len(order) - index))
        shares[cid] = grant
        remaining -= grant
    for cid in order:  # spread what no one asked for
        shares[cid] += remaining / len(order)
    whole = {cid: int(share) for cid, share in shares.items()}
    left = units - sum(whole.values())
    by_remainder = sorted(
        order, key=lambda cid: (-(shares[cid] - whole[cid]), zlib.crc32(f"{cid}:{rotation}".encode()))
    )
    for cid in by_remainder[:left]:
        whole[cid] += 1
    return whole
