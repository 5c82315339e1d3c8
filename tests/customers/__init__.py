"""Tests of supportdesk.customers."""
