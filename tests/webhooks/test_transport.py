"""The HTTP side of an attempt: Retry-After parsing and the total deadline, on a real server."""

from __future__ import annotations

import datetime as dt
import email.utils
import threading
import time

import httpx
import pytest
from werkzeug import Response

from supportdesk.webhooks import transport


def _response(status: int, retry_after: str | None) -> httpx.Response:
    headers = {"retry-after": retry_after} if retry_after is not None else {}
    return httpx.Response(status, headers=headers)


@pytest.mark.parametrize(
    ("status", "value", "expected"),
    [
        pytest.param(429, "30", 30.0, id="seconds"),
        pytest.param(429, "", None, id="empty"),
        pytest.param(429, None, None, id="absent"),
        pytest.param(503, "soon", None, id="garbage"),
        pytest.param(503, "Wed, 21 Oct 2015 07:28:00 GMT", 0.0, id="date-in-the-past"),
        pytest.param(503, "Wed, 21 Oct 2015 07:28:00", 0.0, id="date-without-zone"),
        pytest.param(500, "30", None, id="not-429-or-503"),
    ],
)
def test_retry_after(status, value, expected):
    assert transport._retry_after(_response(status, value)) == expected


def test_retry_after_as_a_future_date():
    when = email.utils.format_datetime(
        dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10), usegmt=True
    )
    assert 590 <= transport._retry_after(_response(429, when)) <= 600


def test_a_receiver_that_trickles_its_answer_is_cut_at_the_total_timeout(httpserver):
    release = threading.Event()

    def trickle():
        yield b"x"
        release.wait(5)
        yield b"y"

    httpserver.expect_request("/hooks").respond_with_handler(lambda request: Response(trickle()))
    try:
        outcome = transport.post(
            httpserver.url_for("/hooks"),
            b"{}",
            {},
            connect_timeout=1,
            total_timeout=0.3,
            allow_private=True,
        )
    finally:
        release.set()
    assert outcome.status_code is None and outcome.error == "Timed out after 0.3 s."
    for _ in range(100):  # let the receiver finish inside this test
        if httpserver.log:
            break
        time.sleep(0.02)
