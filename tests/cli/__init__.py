"""Tests of supportdesk.cli."""
