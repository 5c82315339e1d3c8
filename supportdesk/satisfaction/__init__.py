"""Satisfaction surveys (CSAT): one-click ratings after a resolution, with an optional comment."""
