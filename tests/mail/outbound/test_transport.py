"""SMTP settings: one URL per server, with the scheme choosing plain, STARTTLS or implicit TLS."""

from __future__ import annotations

import pytest

from supportdesk.mail.outbound.transport import BadSmtpUrl, SmtpServer

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "url, expected",
    [
        pytest.param(
            "smtp://mail.example.com", ("smtp", "mail.example.com", 25, "", ""), id="plain"
        ),
        pytest.param(
            "smtp+starttls://u:p@mail.example.com",
            ("smtp+starttls", "mail.example.com", 587, "u", "p"),
            id="starttls-default-port",
        ),
        pytest.param(
            "smtps://u%40x.example:p%2F%3A%40@mail.example.com:2465",
            ("smtps", "mail.example.com", 2465, "u@x.example", "p/:@"),
            id="tls-encoded-credentials",
        ),
        pytest.param(
            "SMTPS://Mail.Example.com", ("smtps", "mail.example.com", 465, "", ""), id="case"
        ),
    ],
)
def test_an_smtp_url_is_parsed(url, expected):
    server = SmtpServer.from_url(url)
    assert (server.scheme, server.host, server.port, server.username, server.password) == expected


@pytest.mark.parametrize(
    "url, message",
    [
        pytest.param("http://mail.example.com", "unsupported SMTP URL scheme", id="http"),
        pytest.param("smtp://", "no host", id="no-host"),
        pytest.param("smtp://mail.example.com:99999", "invalid port", id="bad-port"),
    ],
)
def test_a_bad_smtp_url_is_refused_with_the_reason(url, message):
    with pytest.raises(BadSmtpUrl, match=message):
        SmtpServer.from_url(url)


def test_the_password_never_shows_in_a_repr():
    server = SmtpServer.from_url("smtps://user:s3cret@mail.example.com")
    assert "s3cret" not in repr(server) and "user" not in repr(server)
    assert repr(server) == "SmtpServer(smtps://mail.example.com:465)"
