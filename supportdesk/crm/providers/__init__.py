"""Clients for each CRM's documented REST API, over httpx, and the errors they raise in words."""
