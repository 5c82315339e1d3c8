"""The away toggle in the top bar."""

from __future__ import annotations

import pytest

from supportdesk.extensions import db
from tests.fixtures.web import csrf_token, login_as


@pytest.mark.parametrize(
    ("away", "next_url", "location"),
    [
        pytest.param("1", "/?queue=mine", "/?queue=mine", id="away-back-to-the-page"),
        pytest.param("0", "//evil.example/", "/", id="available-no-open-redirect"),
        pytest.param("1", "https://evil.example/", "/", id="absolute-url-refused"),
    ],
)
def test_agents_mark_themselves_away_and_back(client, agent, away, next_url, location):
    login_as(client, agent)
    token = csrf_token(client.get("/"))
    response = client.post("/me/away", data={"csrf_token": token, "away": away, "next": next_url})
    assert response.status_code == 302
    assert response.headers["Location"] == location
    db.session.refresh(agent)
    assert agent.away is (away == "1")


def test_the_top_bar_shows_the_current_availability(client, agent):
    agent.away = True
    db.session.flush()
    login_as(client, agent)
    assert "Away · set available" in client.get("/").get_data(as_text=True)
