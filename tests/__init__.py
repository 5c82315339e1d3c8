"""The supportdesk test suite."""
