"""Outgoing mail: the outbox of emails, who gets them, what they say, and how they are sent."""
