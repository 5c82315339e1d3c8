"""Exports: tickets (any queue filter) and report tables as CSV or JSON Lines, built by a job."""
