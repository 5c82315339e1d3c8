"""Fixtures for the inbound mail tests."""

from tests.fixtures.mail import mail_world  # noqa: F401  (fixture)
