"""Where the current action comes from: the client address, its user agent, the API token.

The interfaces set it (supportdesk.web for every request, supportdesk.api.access for a token);
services read it through `audit.service.record`, so no domain reads the request. Outside a
request (jobs, commands) it is empty: the actor there is the system.
"""

from __future__ import annotations

from contextvars import ContextVar, Token
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Origin:
    """The request an action came with."""

    ip_address: str = ""
    user_agent: str = ""
    api_token_id: int | None = None
    api_token_label: str = ""


_EMPTY = Origin()
_current: ContextVar[Origin] = ContextVar("supportdesk_audit_origin", default=_EMPTY)  # noqa: B039 (frozen)


def current() -> Origin:
    """The origin of the action being recorded (empty outside a request)."""
    return _current.get()


def begin(ip_address: str, user_agent: str) -> Token:
    """Set the origin at the start of a request; pass the returned token to `end`."""
    return _current.set(Origin(ip_address=(ip_address or "")[:45], user_agent=user_agent or ""))


def with_token(token_id: int, label: str) -> None:
    """The request authenticated with this API token: its actions are the token's."""
    _current.set(replace(_current.get(), api_token_id=token_id, api_token_label=label))


def end(token: Token) -> None:
    """Forget the request's origin (the next one on this thread starts empty)."""
    try:
        _current.reset(token)
    except ValueError:  # set in another context (a copied one): just clear it
        _current.set(Origin())
