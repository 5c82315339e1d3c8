"""Two-factor authentication: TOTP authenticator apps and one-time recovery codes."""
