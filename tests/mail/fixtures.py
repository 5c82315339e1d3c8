"""Fixtures for mail tests: settings changed for one test, a real SMTP server, a burst worker."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from rq import Queue, SimpleWorker

from tests.mail.helpers import SmtpServer


@pytest.fixture
def mail_config(app, tmp_path) -> Iterator[Callable[..., None]]:
    """Set app settings for this test only; .eml files go to a temporary folder."""
    saved = dict(app.config)

    def configure(**values) -> None:
        app.config.update(values)

    configure(MAIL_DIR=str(tmp_path / "mail"), SMTP_URL=None, SMTP_FALLBACK_URL=None)
    yield configure
    app.config.clear()
    app.config.update(saved)


@pytest.fixture
def smtp(mail_config) -> Iterator[SmtpServer]:
    """A running SMTP server (aiosmtpd) configured as SUPPORTDESK_SMTP_URL."""
    server = SmtpServer()
    server.start()
    mail_config(SMTP_URL=server.url)
    yield server
    server.stop()


@pytest.fixture
def run_worker(app, redis_client) -> Callable[[], None]:
    """Run the `emails` queue in burst mode in this thread (reload rows by id afterwards)."""
    redis = app.extensions["redis"]

    def run() -> None:
        SimpleWorker([Queue("emails", connection=redis)], connection=redis).work(burst=True)

    return run
