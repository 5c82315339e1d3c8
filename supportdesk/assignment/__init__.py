"""Automatic assignment: a team's strategy picks an agent for tickets that arrive in the team."""
