"""Customers: the people who write to support."""
