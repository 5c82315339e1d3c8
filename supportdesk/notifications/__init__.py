"""In-app notifications for agents: mentions in notes, assignments, customer replies, SLA alerts."""
