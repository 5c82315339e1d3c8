"""Mail, in one package: `identity` (what is ours), `inbound` (received mail) and `outbound` (the outbox)."""
