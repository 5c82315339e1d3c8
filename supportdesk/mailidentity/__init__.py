"""What in email is ours: signed reply addresses and Message-IDs, our addresses, verified support
addresses. Shared by inbound (mailin) and outbound (notifications) so neither imports the other."""
