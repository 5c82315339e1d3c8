"""Tickets, their conversation and their history."""
