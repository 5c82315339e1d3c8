"""Customer and agent notifications by email: the outbox of outgoing mail and its templates."""
