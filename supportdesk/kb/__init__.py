"""The knowledge base: categories, articles with revisions, search, votes and the help center's
branding, per organization (issue 13)."""
