"""Every kind of mail, as built for the wire: 7-bit bodies, RFC 2047 headers of legal length, the
list headers that bulk mail needs and transactional mail must not carry, and an HTML part with
everything the text part says."""

import base64
import re
from email.header import decode_header

import pytest

from app.mail.mime import (
    MAX_ENCODED_WORD,
    _text_part,
    mime_message,
    smtp_policy_bytes,
    wire_bytes,
)
from tests.mail.kinds import SECRETARIAT, parsed

BULK = {"half-yearly notice", "announcement", "materials"}
URL = re.compile(r"(?:https?|webcal)://[^\s<>\"'（）「」、。]+")


def test_every_body_part_is_7bit_and_so_never_re_encoded_by_a_relay(every_mail_kind):
    for label, message in every_mail_kind.items():
        assert message.mime.isascii(), label
        for part in parsed(message).walk():
            if part.is_multipart():
                continue
            assert part["Content-Transfer-Encoding"] in ("7bit", "quoted-printable", "base64"), (
                label,
                part.get_content_type(),
            )
        lines = message.mime.split(b"\r\n")
        assert max(len(line) for line in lines) <= 998, label


def test_each_part_takes_the_smaller_of_base64_and_quoted_printable(every_mail_kind):
    # Japanese prose: base64 is about half the size of QP (3 bytes per character become 9).
    text_part = parsed(every_mail_kind["confirmation"]).get_body(("plain",))
    assert text_part["Content-Transfer-Encoding"] == "base64"
    # Mostly ASCII (a URL list, an English mail): QP, which stays readable in the raw source.
    mostly_ascii = _text_part("Join: https://reskilling.example.jp/join/abc\n" * 20 + "様", "plain")
    assert mostly_ascii["Content-Transfer-Encoding"] == "quoted-printable"
    assert "https://reskilling.example.jp/join/abc" in mostly_ascii.get_payload()
    plain_ascii = _text_part("Hello\n", "plain")
    assert plain_ascii["Content-Transfer-Encoding"] == "7bit"
    long_ascii = _text_part("x" * 1200, "plain")  # over SMTP's 998: QP's soft breaks
    assert long_ascii["Content-Transfer-Encoding"] == "quoted-printable"


def test_every_encoded_word_fits_75_and_every_header_line_78(every_mail_kind):
    for label, message in every_mail_kind.items():
        head = message.mime.split(b"\r\n\r\n", 1)[0].decode("ascii")
        for line in head.split("\r\n"):
            if "=?" in line:  # our folding; other long lines are only a SHOULD
                assert len(line) <= 78, (label, line)
            for word in re.findall(r"=\?[^?]+\?[bBqQ]\?[^?]*\?=", line):
                assert len(word) <= MAX_ENCODED_WORD, (label, word)
        # Read by RFC 2047 itself (email.header): policy.default's address parser puts a space
        # between adjacent encoded words of a display name, which the RFC says to ignore.
        expected = {
            "Subject": message.subject,
            "From": SECRETARIAT["MAIL_DEFAULT_SENDER"],
            "To": f"{message.to_name} <{message.to_addr}>" if message.to_name else message.to_addr,
        }
        for name, value in expected.items():
            raw = re.search(rf"^{name}:([^\r\n]*(?:\r\n[ \t][^\r\n]*)*)", head, re.MULTILINE).group(
                1
            )
            decoded = "".join(
                part.decode(charset or "ascii") if isinstance(part, bytes) else part
                for part, charset in decode_header(raw.replace("\r\n", ""))
            )
            assert decoded.strip() == value, (label, name)


def test_a_long_japanese_subject_folds_between_encoded_words_without_splitting_a_character(
    every_mail_kind,
):
    message = every_mail_kind["confirmation"]
    head = message.mime.split(b"\r\n\r\n", 1)[0].decode()
    subject = re.search(r"^Subject:([^\r\n]*(?:\r\n[ \t][^\r\n]*)*)", head, re.MULTILINE).group(1)
    words = re.findall(r"=\?utf-8\?b\?([^?]*)\?=", subject)
    assert len(words) > 1  # long enough to fold
    for word in words:
        base64.b64decode(word).decode("utf-8")  # each word is whole characters
    assert "".join(base64.b64decode(w).decode() for w in words) == message.subject


@pytest.mark.parametrize("label", sorted(BULK))
def test_bulk_mail_carries_list_id_unsubscribe_and_precedence(every_mail_kind, label):
    mail = parsed(every_mail_kind[label])
    assert mail["List-Id"] == "<members.reskilling.example.jp>"
    assert mail["List-Unsubscribe"].startswith("<https://")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail["Precedence"] == "bulk"
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["X-Auto-Response-Suppress"] is None


def test_transactional_mail_suppresses_outlook_auto_replies_and_is_no_list(every_mail_kind):
    for label, message in every_mail_kind.items():
        if label in BULK:
            continue
        mail = parsed(message)
        assert mail["X-Auto-Response-Suppress"] == "OOF, AutoReply", label
        assert mail["Auto-Submitted"] == "auto-generated", label
        for name in ("List-Id", "List-Unsubscribe", "Precedence"):
            assert mail[name] is None, (label, name)


def test_the_html_part_has_every_url_and_line_of_the_text_part(every_mail_kind):
    for label, message in every_mail_kind.items():
        mail = parsed(message)
        text = mail.get_body(("plain",)).get_content()
        html = mail.get_body(("html",)).get_content()
        urls = URL.findall(text)
        assert urls, label
        for url in urls:
            assert f'href="{url.replace("&", "&amp;")}"' in html, (label, url)
        assert f"<title>{message.subject}</title>" in html.replace("&amp;", "&"), label
        assert "<style" not in html and "<img" not in html and "<link" not in html, label


def test_the_confirmation_html_shows_the_programme_format_status_and_personal_links(
    every_mail_kind,
):
    mail = parsed(every_mail_kind["confirmation"])
    html = mail.get_body(("html",)).get_content()
    for expected in (
        "第一部 基調講演",
        "第二部 情報交換会",
        "オンライン開催",
        "参加確定",
        "https://reskilling.example.jp/j/",
        ".ics",
    ):
        assert expected in html, expected


def test_the_compat32_generator_writes_every_kind_byte_for_byte_as_policy_smtp(every_mail_kind):
    # mime_bytes() serialises with the compat32 generator (half the time of policy.SMTP, which
    # parses every header again to fold it); the wire must not change by a byte, or DKIM and
    # the 7-bit and folding properties above would need proving anew.
    for label, message in every_mail_kind.items():
        built = mime_message(message)
        assert wire_bytes(built) == smtp_policy_bytes(built), label
