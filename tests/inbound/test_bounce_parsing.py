"""Reading bounces: RFC 3464 reports, the plain-text shapes of qmail and Exchange, and the
out-of-office replies that must not count; nothing malformed makes the parser raise."""

import pytest

from app.inbound.dsn import is_auto_reply, parse_bounce
from app.inbound.models import BounceKind
from app.inbound.receive import parse_message
from tests.inbound.conftest import inbound_mail

VALUES = {
    "RETURN_PATH": "bounce+7.0123456789abcdef0123@bounce.reskilling.example.jp",
    "RECIPIENT": "taro@city.example.jp",
    "MESSAGE_ID": "<177603916400.1.42@reskilling.example.jp>",
}


@pytest.mark.parametrize(
    ("name", "kind", "status"),
    [
        ("dsn_postfix_hard.eml", BounceKind.HARD, "5.1.1"),
        ("dsn_delayed.eml", BounceKind.SOFT, "4.2.2"),
        ("qmail_plain.eml", BounceKind.HARD, "5.1.1"),
        ("exchange_plain.eml", BounceKind.HARD, "5.1.10"),
    ],
)
def test_bounce_shapes_give_kind_status_and_the_returned_message_id(name, kind, status):
    message = parse_message(inbound_mail(name, **VALUES))
    bounce = parse_bounce(message, to_return_path=True)
    assert bounce is not None
    [recipient] = bounce.recipients
    assert (recipient.kind, recipient.status) == (kind, status)
    assert recipient.email in ("", "taro@city.example.jp")
    assert status in recipient.reason
    assert bounce.original_message_id == VALUES["MESSAGE_ID"]


def test_a_report_names_its_recipient():
    bounce = parse_bounce(
        parse_message(inbound_mail("dsn_postfix_hard.eml", **VALUES)), to_return_path=False
    )
    assert bounce is not None
    assert bounce.recipients[0].email == "taro@city.example.jp"
    assert "User unknown" in bounce.recipients[0].reason


@pytest.mark.parametrize("name", ["ooo_japanese.eml", "ooo_vacation.eml"])
def test_out_of_office_replies_are_no_bounce_even_with_a_code_in_the_text(name):
    message = parse_message(inbound_mail(name, **VALUES))
    assert is_auto_reply(message)
    assert parse_bounce(message, to_return_path=True) is None


def test_a_japanese_absence_subject_alone_marks_an_auto_reply():
    raw = (
        b"From: taro@city.example.jp\r\nTo: x@example.jp\r\n"
        b"Subject: =?utf-8?b?5LiN5Zyo44Gu44GK55+l44KJ44Gb?=\r\n\r\n550 5.1.1\r\n"
    )
    message = parse_message(raw)
    assert is_auto_reply(message)
    assert parse_bounce(message, to_return_path=True) is None


def test_a_person_writing_to_another_address_with_a_code_is_no_bounce():
    raw = b"From: taro@city.example.jp\r\nSubject: question\r\n\r\nerror 550 5.1.1 again?\r\n"
    assert parse_bounce(parse_message(raw), to_return_path=False) is None


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x00\xff\xfe garbage without headers",
        b"Content-Type: multipart/report; report-type=delivery-status; boundary=x\r\n\r\n--x\r\n"
        b"Content-Type: message/delivery-status\r\n\r\nStatus: 5.1.1\r\n--x",
        b"Content-Type: multipart/report; boundary=\r\n\r\n--\r\n",
        b"Subject: =?x-unknown?q?=FF?=\r\nContent-Type: text/plain; charset=x-nope\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n!!!notbase64 5.1.1",
        b"Content-Type: message/rfc822\r\n\r\nnot a message",
        b"From: " + b"a" * 100_000 + b"\r\n\r\n" + b"5.5.5 " * 50_000,
    ],
)
def test_malformed_messages_never_raise(raw):
    message = parse_message(raw)
    parse_bounce(message, to_return_path=True)
    parse_bounce(message, to_return_path=False)
    is_auto_reply(message)
