"""Calendar tests: every event has a (secret) meeting URL, and after each test no mail in the
outbox may show it; calendars are checked for it as they are parsed (see icalcheck.py)."""

import pytest
from sqlalchemy import select

from app.events.models import Event
from app.extensions import db
from app.mail.outbox import OutboxMessage
from tests.calendar.icalcheck import MEETING_HOST, MEETING_URL


@pytest.fixture
def make_event(make_event):
    """The shared factory, with a meeting URL on every event unless a test says otherwise."""
    counter = iter(range(1, 10_000))

    def make(parts=(), tables=(), **fields):
        fields.setdefault("meeting_url", f"{MEETING_URL}-{next(counter)}?pwd=s3cret")
        return make_event(parts=parts, tables=tables, **fields)

    return make


@pytest.fixture(autouse=True)
def no_meeting_url_in_any_mail(app):
    """After the test: no subject, text, HTML or calendar in the outbox holds a meeting URL."""
    yield
    meeting_urls = {url for url in db.session.scalars(select(Event.meeting_url)) if url}
    for message in db.session.scalars(select(OutboxMessage)):
        for part in (message.subject, message.text_body, message.html_body, message.calendar_body):
            if part:
                assert MEETING_HOST not in part, f"meeting URL in {message.category} mail"
                assert not any(url in part for url in meeting_urls)
