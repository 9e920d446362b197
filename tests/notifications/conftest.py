from __future__ import annotations

import dataclasses

import pytest

from tests.notifications_fixtures import SmtpServer


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on 127.0.0.1; ``smtp_server.inbox.messages`` holds mail."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_settings(settings, smtp_server):
    return dataclasses.replace(
        settings, smtp_host="127.0.0.1", smtp_port=smtp_server.port, smtp_timeout=5
    )
