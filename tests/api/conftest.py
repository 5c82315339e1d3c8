"""Fixtures for API tests: tokens for the everyday agents and a client that sends them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from supportdesk.tokens.models import Scope
from supportdesk.tokens.service import create_token


class ApiClient:
    """The test client with a bearer token on every request (json= bodies as JSON)."""

    def __init__(self, client: FlaskClient, token: str | None) -> None:
        self.client = client
        self.token = token

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        result = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        result.update(headers or {})
        return result

    def request(self, method: str, path: str, *, headers=None, **kwargs: Any):
        return self.client.open(
            "/api/v1" + path, method=method, headers=self._headers(headers), **kwargs
        )

    def get(self, path: str, **kwargs: Any):
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any):
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any):
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any):
        return self.request("DELETE", path, **kwargs)


@pytest.fixture
def make_token() -> Callable[..., str]:
    """Create a token for a user: `make_token(agent, Scope.READ)` returns the plain token."""

    def make(user, scope: Scope = Scope.READ_WRITE, name: str = "Tests") -> str:
        _token, plain = create_token(user, name=name, scope=scope)
        return plain

    return make


@pytest.fixture
def api_as(client, make_token) -> Callable[..., ApiClient]:
    """An ApiClient acting as `user` with a new token of `scope` (read-write by default)."""

    def build(user, scope: Scope = Scope.READ_WRITE) -> ApiClient:
        return ApiClient(client, make_token(user, scope))

    return build


@pytest.fixture
def api(api_as, agent) -> ApiClient:
    """An ApiClient acting as `agent` with a read-write token."""
    return api_as(agent)


@pytest.fixture
def anonymous(client) -> ApiClient:
    """An ApiClient without a token."""
    return ApiClient(client, None)


@pytest.fixture
def api_token(make_token, agent) -> str:
    """A read-write token of `agent`, for requests made without the test client."""
    return make_token(agent)
