"""Agents' sign-in sessions kept server-side: revocable, idle-limited, listed on the account page."""
