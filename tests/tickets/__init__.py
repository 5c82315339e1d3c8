"""Tests of supportdesk.tickets."""
