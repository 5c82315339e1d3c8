"""Tests of supportdesk.mail.inbound."""
