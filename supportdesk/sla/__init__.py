"""SLAs: business-hours calendars, policies, ticket clocks, warnings, breaches and escalation."""
