"""Fixtures shared by the test suite."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fakesheets import fake_sheets  # noqa: F401
from hypothesis import settings
from package_check import ACCEPTED, COST, check_package, findings

from addin.workbook import files
from addin.workbook.files import TEMP_PREFIX

# Property tests check results, not speed: a 2-core CI machine under load must not fail a
# correct example for taking more than Hypothesis' default 200 ms (speed is in benchmarks/).
settings.register_profile("potentiel", deadline=None)
settings.load_profile("potentiel")

WORKBOOKS = (".xlsx", ".xlsm")


@pytest.fixture(autouse=True)
def valid_workbooks(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every workbook potentiel writes during a test is checked as Excel would open it
    (tests/package_check.py); a test whose outputs need a repair fails.  What the file it was
    made from already had is not potentiel's doing (parts it copies as they are).  A test that
    writes a broken package on purpose is marked ``@pytest.mark.invalid_workbooks``."""
    found: list[str] = []

    def check(written: Path, source: Path | None) -> None:
        if written.suffix.lower() not in WORKBOOKS:
            return
        new = findings(written)
        if new and source is not None and source.exists():  # a producer's, copied as it was
            new = [f for f in new if f not in check_package(source)]
        name = written.name.removeprefix(TEMP_PREFIX).partition("~")[0]
        found.extend(f"{name}: {f}" for f in new)

    files.WRITTEN.append(check)
    try:
        yield
    finally:
        files.WRITTEN.remove(check)
        ACCEPTED.clear()
    if found and request.node.get_closest_marker("invalid_workbooks") is None:
        pytest.fail("workbooks Excel would repair:\n  " + "\n  ".join(dict.fromkeys(found)),
                    pytrace=False)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """What checking the written workbooks cost, so the suite's budget stays visible."""
    if COST["packages"]:
        terminalreporter.write_line(
            f"workbook checks: {COST['packages']} packages written, {COST['distinct']} "
            f"distinct, {COST['seconds']:.1f} s of CPU")


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: object, error: object) -> None:
    """Under pytest-xdist each worker checks its own workbooks: add its cost to the total."""
    for key, value in getattr(node, "workeroutput", {}).get("workbook_checks", {}).items():
        COST[key] += value


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A pytest-xdist worker hands its workbook-check cost to the controller."""
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output["workbook_checks"] = dict(COST)
