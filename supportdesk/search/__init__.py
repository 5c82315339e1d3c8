"""Full-text search over tickets: subject, every message, customer name and email, ticket number."""

from supportdesk.search.queries import SearchHit, SearchPage, search_match, search_tickets

__all__ = ["SearchHit", "SearchPage", "search_match", "search_tickets"]
