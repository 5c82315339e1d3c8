"""Organizations (tenants), agents, roles and teams."""
