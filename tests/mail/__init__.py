"""Tests of supportdesk.mail."""
