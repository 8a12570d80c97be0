"""Fixtures shared by the test suite."""

from fakesheets import fake_sheets  # noqa: F401
