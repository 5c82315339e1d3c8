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


class UnknownReference(DomainError):
    """An input names a row (an agent, a team) that does not exist in the organization.

    404, as for an address: the value is well formed, the thing it names is missing.
    """

    status = 404
    code = "not_found"


class Conflict(DomainError):
    """The input is well formed but clashes with stored rows (an email another customer has,
    an agent who can no longer take tickets)."""

    status = 409
    code = "conflict"
