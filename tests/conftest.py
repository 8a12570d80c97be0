"""Fixtures shared by the test suite."""

from fakesheets import fake_sheets  # noqa: F401
from hypothesis import settings

# Property tests check results, not speed: a 2-core CI machine under load must not fail a
# correct example for taking more than Hypothesis' default 200 ms (speed is in benchmarks/).
settings.register_profile("potentiel", deadline=None)
settings.load_profile("potentiel")
