"""Reports: metric definitions, daily aggregates kept from the ticket history, and their reads."""
