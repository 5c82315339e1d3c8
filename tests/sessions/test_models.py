"""A session names its device from the browser's user agent."""

from __future__ import annotations

import pytest

from supportdesk.accounts.models import User
from supportdesk.sessions.models import AgentSession

CHROME_LINUX = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)


@pytest.mark.parametrize(
    ("user_agent", "device"),
    [
        pytest.param(CHROME_LINUX, "Chrome on Linux", id="chrome-linux"),
        pytest.param(FIREFOX_WINDOWS, "Firefox on Windows", id="firefox-windows"),
        pytest.param(SAFARI_IPHONE, "Mobile Safari on iOS", id="safari-iphone"),
        pytest.param("curl/8.5.0", "curl", id="a tool"),
        pytest.param("", "Unknown device", id="empty"),
        pytest.param("\x00garbage", "Unknown device", id="garbage"),
    ],
)
def test_the_device_label_names_browser_and_system(user_agent, device):
    assert AgentSession(user_agent=user_agent).device == device


def test_an_agent_outside_a_sign_in_session_has_no_login_id():
    # Flask-Login's id is the session key: an agent loaded any other way has none to give.
    with pytest.raises(LookupError):
        User(email="ada@example.com").get_id()


def test_a_session_names_itself_without_its_key():
    record = AgentSession(id=7, user_id=3, token_hash="f" * 64)
    record.key = "secret-key"

    assert repr(record) == "<AgentSession 7 user=3>"
