"""Webhooks: endpoints per organization, signed deliveries in the outbox, retries and the SSRF guard."""
