"""Fixtures of the language tests: the mail world of the inbound tests."""

from tests.fixtures.mail import mail_world  # noqa: F401  (fixture)
