"""Shared fixtures. Real peers (servers, SDKs) are started by fixtures in tests/integration/conftest.py."""


def pytest_addoption(parser):  # type: ignore[no-untyped-def]
    parser.addoption(
        "--update-golden", action="store_true", default=False,
        help="rewrite golden expected files from the current output (the run still fails, so the diff is reviewed)",
    )
