"""The base class of domain errors, which interfaces map to 4xx answers."""

from __future__ import annotations


class DomainError(Exception):
    """A rule refused the request. `fields` names the offending inputs, if any."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class NotFound(DomainError):
    """The thing does not exist in the acting agent's organization."""

    status = 404
    code = "not_found"


class ValidationFailed(DomainError):
    """Input broke a rule; `fields` says which."""

    status = 422
    code = "validation_failed"
