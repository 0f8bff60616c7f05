"""The follow-up mail delivered over real SMTP (aiosmtpd on 127.0.0.1): its text/plain part
carries everything on its own (the event, the date, the closing date and the personal link),
since municipal mail sanitisation may strip the HTML part and disable links."""

import email
import socket
from datetime import timedelta
from email import policy

import pytest
from aiosmtpd.controller import Controller

from app.extensions import db
from app.mail.delivery import deliver_due
from app.surveys import followups


class Collect:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.envelopes.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def smtp():
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, handler
    controller.stop()


@pytest.fixture
def app_overrides(smtp):
    controller, _handler = smtp
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": controller.port, "MAIL_TIMEOUT": 5}


def test_the_follow_up_reaches_the_attendee_with_a_complete_text_part(
    smtp, upcoming_with_attendees, make_survey, frozen_now
):
    _controller, handler = smtp
    handler.envelopes.clear()
    event, people = upcoming_with_attendees(1)
    survey = make_survey(event)
    at = frozen_now(event.ends_at + timedelta(hours=1))
    assert followups.send_survey_mail(survey.id, at) == 1
    db.session.commit()
    deliver_due(at)
    mails = [email.message_from_bytes(e.content, policy=policy.default) for e in handler.envelopes]
    survey_mails = [m for m in mails if "アンケートのお願い" in m["Subject"]]
    assert len(survey_mails) == 1
    message = survey_mails[0]
    assert message["To"].addresses[0].addr_spec == people[0].email
    assert "List-Unsubscribe" not in message  # transactional: it follows from the sign-up
    text = message.get_body(("plain",)).get_content()
    assert event.title in text
    assert "2026年8月8日(土) 10:00〜12:00" in text  # the event, in Japanese dates
    assert "回答の締切: 2026年8月22日(土) 12:00" in text
    assert "https://reskilling.example.jp/surveys/" in text
    assert "お問い合わせ" in text  # the footer: who sent it and how to reach them
