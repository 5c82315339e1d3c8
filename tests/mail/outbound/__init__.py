"""Tests of supportdesk.mail.outbound."""
