"""The confirmation mail: text and HTML parts, and for a seat an iCalendar invite, inline and
attached; 7-bit on the wire (base64 bodies, RFC 2047 headers), CRLF line ends."""

from datetime import UTC, datetime
from email.charset import BASE64, Charset
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import format_datetime, make_msgid
from functools import cache
from zoneinfo import ZoneInfo

import icalendar
from flask import current_app, render_template

TOKYO = "Asia/Tokyo"
# The legacy generator: the same headers as policy.SMTP, in half the time (STACK-NOTES).
CRLF = compat32.clone(linesep="\r\n")


def _utf8() -> Charset:
    """UTF-8 in base64, bodies and headers alike: Flask-Mail, once imported (as the product
    does), registers UTF-8 as 8bit for every message built in the process."""
    charset = Charset("utf-8")
    charset.header_encoding = charset.body_encoding = BASE64
    return charset


@cache
def _vtimezone(tzid: str) -> icalendar.Timezone:
    """Building a VTIMEZONE walks the zone's history (~10 ms): once per process."""
    return icalendar.Timezone.from_tzid(tzid)


def _address(field: str, name: str, address: str) -> Header:
    """「名前 <address>」 with the name in RFC 2047 encoded words, folded by the generator."""
    header = Header(name, _utf8(), header_name=field)
    header.append(f"<{address}>", "us-ascii")
    return header


def invite(registration, now: datetime) -> bytes:
    """A METHOD:REQUEST calendar with the event, in Tokyo time with its VTIMEZONE."""
    event = registration.event
    zone = ZoneInfo(TOKYO)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//floor.example.jp//floor//JA")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    calendar.add_component(_vtimezone(TOKYO))
    entry = icalendar.Event()
    entry.add("uid", f"floor-registration-{registration.id}@floor.example.jp")
    entry.add("dtstamp", now)
    entry.add("sequence", 0)
    entry.add("dtstart", event.starts_at.replace(tzinfo=UTC).astimezone(zone))
    entry.add("dtend", event.ends_at.replace(tzinfo=UTC).astimezone(zone))
    entry.add("summary", event.title)
    entry.add("organizer", f"mailto:{current_app.config['MAIL_SENDER'][1]}")
    attendee = icalendar.vCalAddress(f"mailto:{registration.email}")
    attendee.params["cn"] = registration.name
    attendee.params["rsvp"] = "FALSE"
    entry.add("attendee", attendee)
    calendar.add_component(entry)
    return calendar.to_ical()


def confirmation(registration) -> bytes:
    """The whole message for the outbox, built once, as it will be sent."""
    now = datetime.now(UTC)
    confirmed = registration.status == "confirmed"
    context = {"registration": registration, "event": registration.event, "confirmed": confirmed}
    body = MIMEMultipart("alternative")
    body.attach(MIMEText(render_template("mail.txt", **context), "plain", _utf8()))
    body.attach(MIMEText(render_template("mail.html", **context), "html", _utf8()))
    if confirmed:
        ics = invite(registration, now)
        inline = MIMEText(ics.decode(), "calendar", _utf8())
        inline.set_param("method", "REQUEST")
        body.attach(inline)
        message = MIMEMultipart("mixed")
        message.attach(body)
        attached = MIMEApplication(ics, "ics")
        attached.add_header("Content-Disposition", "attachment", filename="invite.ics")
        message.attach(attached)
    else:
        message = body
    sender_name, sender = current_app.config["MAIL_SENDER"]
    title = registration.event.title
    subject = ("【お申し込み完了】" if confirmed else "【キャンセル待ち受付】") + title
    message["Subject"] = Header(subject, _utf8(), header_name="Subject")
    message["From"] = _address("From", sender_name, sender)
    message["To"] = _address("To", registration.name, registration.email)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    message["Auto-Submitted"] = "auto-generated"
    return message.as_bytes(policy=CRLF)
