"""The per-rule reservoir split between clients."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from otelray.service.ops.reservoir import INTERVAL, QUOTA_TTL, ReservoirBook, fair_shares

NOW = 1_700_000_000.0


def test_one_client_gets_the_whole_reservoir() -> None:
    assert fair_shares(7, {"a": 100.0}) == {"a": 7}
    assert fair_shares(7, {"a": 0.0}) == {"a": 7}


def test_equal_demands_split_equally() -> None:
    assert fair_shares(10, {"a": 50.0, "b": 50.0}) == {"a": 5, "b": 5}


def test_a_small_client_gets_its_demand_and_the_big_one_the_rest() -> None:
    assert fair_shares(10, {"small": 1.0, "big": 100.0}) == {"small": 1, "big": 9}


def test_one_per_second_alternates_between_two_equal_clients() -> None:
    winners = {
        next(k for k, v in fair_shares(1, {"a": 5.0, "b": 5.0}, rotation=r).items() if v) for r in range(20)
    }
    assert winners == {"a", "b"}


@given(
    units=st.integers(0, 50),
    demands=st.dictionaries(
        st.text("abcdef", min_size=1, max_size=3), st.floats(0, 1000), min_size=1, max_size=8
    ),
    rotation=st.integers(0, 1000),
)
def test_shares_always_add_up_to_the_reservoir(units: int, demands: dict[str, float], rotation: int) -> None:
    shares = fair_shares(units, demands, rotation=rotation)
    assert sum(shares.values()) == units
    assert all(v >= 0 for v in shares.values())


def test_quota_ttl_and_first_report() -> None:
    book = ReservoirBook()
    quota, ttl = book.assign("r", 4, "a" * 24, 100, NOW)
    assert (quota, ttl) == (4, NOW + QUOTA_TTL)


def test_two_clients_converge_to_equal_shares() -> None:
    book = ReservoirBook()
    a, b = "a" * 24, "b" * 24
    assert book.assign("r", 10, a, 100, NOW)[0] == 10  # alone at first
    assert book.assign("r", 10, b, 100, NOW + 5)[0] == 0  # a still holds all 10
    assert book.assign("r", 10, a, 100, NOW + 10)[0] == 5  # a gives back half
    assert book.assign("r", 10, b, 100, NOW + 15)[0] == 5
    assert book.clients("r", NOW + 15) == 2


def test_a_departed_client_frees_its_share() -> None:
    book = ReservoirBook()
    a, b = "a" * 24, "b" * 24
    book.assign("r", 10, a, 100, NOW)
    book.assign("r", 10, b, 100, NOW + 5)
    book.assign("r", 10, a, 100, NOW + 10)
    # b never reports again: after its quota expires and it leaves the active window, a gets everything
    later = NOW + 5 + QUOTA_TTL + INTERVAL
    assert book.assign("r", 10, a, 100, later)[0] == 10
    assert book.clients("r", later) == 1


def test_forget_drops_held_quotas() -> None:
    book = ReservoirBook()
    book.assign("r", 3, "a" * 24, 10, NOW)
    book.forget("r")
    assert book.assign("r", 3, "b" * 24, 10, NOW + 1)[0] == 3


@settings(max_examples=60, deadline=None)
@given(
    reservoir=st.integers(0, 20),
    reports=st.lists(
        st.tuples(st.integers(0, 5), st.integers(0, 500), st.floats(0.0, 12.0)), min_size=1, max_size=60
    ),
)
def test_quotas_in_force_never_exceed_the_reservoir(
    reservoir: int, reports: list[tuple[int, int, float]]
) -> None:
    book = ReservoirBook()
    held: dict[str, tuple[int, float]] = {}
    now = NOW
    for client, requests, step in reports:
        now += step
        cid = f"{client:024x}"
        held[cid] = book.assign("r", reservoir, cid, requests, now)
        assert sum(q for q, expires in held.values() if expires > now) <= reservoir


def test_a_smaller_reservoir_is_reached_without_overcommitting() -> None:
    book = ReservoirBook()
    a, b = "a" * 24, "b" * 24
    book.assign("r", 10, a, 100, NOW)
    book.assign("r", 10, b, 100, NOW + 5)
    book.assign("r", 10, a, 100, NOW + 10)
    book.assign("r", 10, b, 100, NOW + 15)  # a and b hold 5 each
    # the rule now allows 2/s: nobody gets more until the others' quotas shrink
    assert book.assign("r", 2, a, 100, NOW + 20)[0] == 0
    assert book.assign("r", 2, b, 100, NOW + 25)[0] == 1
    assert book.assign("r", 2, a, 100, NOW + 30)[0] == 1
