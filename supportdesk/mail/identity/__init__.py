"""What in email is ours: signed reply addresses and Message-IDs, our addresses, verified support
addresses. Shared by mail.inbound and mail.outbound so neither imports the other."""
