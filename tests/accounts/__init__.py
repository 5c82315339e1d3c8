"""Tests of supportdesk.accounts."""
