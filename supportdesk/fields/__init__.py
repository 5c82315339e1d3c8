"""Custom ticket fields (defined per organization by admins) and agents' saved queue views."""
