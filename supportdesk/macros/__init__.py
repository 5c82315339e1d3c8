"""Canned replies (text with placeholders) and macros (a named set of ticket actions)."""
