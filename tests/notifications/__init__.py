"""Tests of supportdesk.notifications."""
