"""An SMTP server that refuses the worker's login (wrong MAIL_PASSWORD): the batch must be
recorded as not delivered and retried with backoff, like any other failure to connect."""

from datetime import timedelta

import pytest
from aiosmtpd.smtp import AuthResult

from app.mail.delivery import deliver_due
from app.mail.outbox import OutboxStatus
from tests.conftest import NOW


@pytest.fixture
def mail_config(smtp_config):
    return {**smtp_config, "MAIL_USERNAME": "worker", "MAIL_PASSWORD": "wrong-password"}


def refuse_everyone(server, session, envelope, mechanism, auth_data):
    return AuthResult(success=False, handled=False)


def test_a_refused_login_reschedules_the_batch_with_the_error_recorded(
    app, stopped_smtp_server, queue_messages, outbox
):
    stopped_smtp_server.start(authenticator=refuse_everyone, auth_require_tls=False)
    queue_messages(2)

    assert deliver_due() == 0

    assert stopped_smtp_server.received == []
    for row in outbox():
        assert row.status == OutboxStatus.QUEUED
        assert row.attempts == 1
        assert row.next_attempt_at == NOW + timedelta(seconds=30)
        assert "535" in row.last_error
