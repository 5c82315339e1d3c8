"""Single sign-on with OpenID Connect: per-organization settings, the code flow, agent mapping."""
