"""Fixtures for attachment tests: a real S3-compatible server (tests.fixtures.s3)."""

from tests.fixtures.s3 import s3_config, s3_endpoint  # noqa: F401  (fixtures)
