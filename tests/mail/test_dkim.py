"""DKIM: with DKIM_PRIVATE_KEY_PATH, DKIM_SELECTOR and DKIM_DOMAIN set, every mail leaves signed,
and the bytes the SMTP server received verify against the public key a DNS TXT record would carry.
The key is made here with `openssl genrsa` (dkimpy signs with its own RSA code; no extra package)."""

import base64
import email
import quopri
import re
import shutil
import subprocess
from datetime import timedelta
from email import policy
from pathlib import Path

import dkim
import pytest

from app.mail.delivery import deliver_due
from app.mail.dkim import message_bytes
from app.mail.outbox import OutboxStatus
from tests.conftest import NOW

SELECTOR = "mail2026"
DOMAIN = "reskilling.example.jp"
SENDER = "全国自治体リスキリングネットワーク事務局 <info@reskilling.example.jp>"
UNSUBSCRIBE = "https://reskilling.example.jp/members/unsubscribe/one-click/abc"

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl tool")


def openssl(*args: str) -> bytes:
    return subprocess.run(["openssl", *args], check=True, capture_output=True).stdout


@pytest.fixture(scope="session")
def dkim_keys(tmp_path_factory):
    """A 2048-bit RSA key: PEM files as OpenSSL 3 writes them (PKCS#8) and the traditional PKCS#1
    form, and the TXT record publishing its public half."""
    folder = tmp_path_factory.mktemp("dkim")
    pkcs8 = folder / "pkcs8.pem"
    openssl("genrsa", "-out", str(pkcs8), "2048")
    pkcs1 = folder / "pkcs1.pem"
    openssl("rsa", "-in", str(pkcs8), "-traditional", "-out", str(pkcs1))
    crlf = folder / "crlf.pem"  # the same key saved with Windows line ends
    crlf.write_bytes(pkcs8.read_bytes().replace(b"\n", b"\r\n"))
    public = openssl("rsa", "-in", str(pkcs8), "-pubout", "-outform", "DER")
    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)
    return {"pkcs8": pkcs8, "pkcs1": pkcs1, "crlf": crlf, "txt": record}


@pytest.fixture
def mail_config(smtp_config, dkim_keys):
    return {
        **smtp_config,
        "MAIL_DEFAULT_SENDER": SENDER,
        "DKIM_PRIVATE_KEY_PATH": str(dkim_keys["pkcs8"]),
        "DKIM_SELECTOR": SELECTOR,
        "DKIM_DOMAIN": DOMAIN,
    }


@pytest.fixture
def dns(dkim_keys):
    """dkimpy's dnsfunc: the TXT record of <selector>._domainkey.<domain>, nothing else."""
    lookups = []

    def lookup(name, timeout=5):
        lookups.append(name)
        if name == f"{SELECTOR}._domainkey.{DOMAIN}.".encode():
            return dkim_keys["txt"]
        return None

    lookup.lookups = lookups
    return lookup


def signature_tags(content: bytes) -> dict[str, str]:
    assert content.startswith(b"DKIM-Signature:"), content[:200]
    header = re.match(rb"DKIM-Signature:(.*?)\r\n(?![ \t])", content, re.DOTALL).group(1)
    unfolded = re.sub(rb"\s+", b"", header).decode()
    return dict(tag.split("=", 1) for tag in unfolded.split(";") if tag)


def test_mail_is_signed_and_verifies_against_the_published_key(
    app, smtp_server, queue_messages, outbox, dns
):
    [message] = queue_messages(1, unsubscribe_url=UNSUBSCRIBE)

    assert deliver_due() == 1

    [received] = smtp_server.received
    assert received.message_id == message.message_id
    content = received.content
    assert dkim.verify(content, dnsfunc=dns) is True
    assert dns.lookups == [f"{SELECTOR}._domainkey.{DOMAIN}.".encode()]

    tags = signature_tags(content)
    assert tags["v"] == "1"
    assert tags["a"] == "rsa-sha256"
    assert tags["c"] == "relaxed/relaxed"
    assert tags["d"] == DOMAIN
    assert tags["s"] == SELECTOR
    assert tags["h"].lower().split(":") == [
        "from",
        "to",
        "subject",
        "reply-to",
        "date",
        "message-id",
        "list-id",
        "list-unsubscribe",
        "list-unsubscribe-post",
        "mime-version",
        "content-type",
    ]
    # The headers it covers are the ones that went out, Japanese subject and one-click included.
    parsed = received.message
    assert parsed["List-Unsubscribe"].strip() == f"<{UNSUBSCRIBE}>"  # folded: a space leads
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed["Subject"] == message.subject
    assert [row.status for row in outbox()] == [OutboxStatus.SENT]


def test_a_changed_header_or_body_no_longer_verifies(app, smtp_server, queue_messages, dns):
    queue_messages(1, unsubscribe_url=UNSUBSCRIBE)
    deliver_due()
    [received] = smtp_server.received
    content = received.content
    assert dkim.verify(content, dnsfunc=dns)

    head, body = content.split(b"\r\n\r\n", 1)
    other_subject = re.sub(rb"\r\nSubject:[^\r]*(\r\n[ \t][^\r]*)*", b"\r\nSubject: hello", head)
    assert other_subject != head
    assert not dkim.verify(other_subject + b"\r\n\r\n" + body, dnsfunc=dns)
    other_link = head.replace(UNSUBSCRIBE.encode(), b"https://evil.example/one-click")
    assert not dkim.verify(other_link + b"\r\n\r\n" + body, dnsfunc=dns)
    changed_body = (b"6" if body[:1] != b"6" else b"7") + body[1:]  # one base64 character
    assert not dkim.verify(head + b"\r\n\r\n" + changed_body, dnsfunc=dns)
    # A List-Unsubscribe or Reply-To added in transit to mail without one breaks it as well.
    plain = queue_messages(1)[0]
    deliver_due()
    unsigned_list = smtp_server.by_message_id(plain.message_id).content
    assert dkim.verify(unsigned_list, dnsfunc=dns)
    head, body = unsigned_list.split(b"\r\n\r\n", 1)
    for header in (b"List-Unsubscribe: <https://evil.example/u>", b"Reply-To: <evil@example.com>"):
        injected = head + b"\r\n" + header + b"\r\n\r\n" + body
        assert not dkim.verify(injected, dnsfunc=dns)


@pytest.mark.parametrize("form", ["pkcs1", "crlf"])
def test_traditional_and_crlf_key_files_sign_too(
    app, smtp_server, queue_messages, dns, dkim_keys, form
):
    app.config["DKIM_PRIVATE_KEY_PATH"] = str(dkim_keys[form])
    queue_messages(2)

    assert deliver_due() == 2

    for received in smtp_server.received:
        assert dkim.verify(received.content, dnsfunc=dns)


def test_without_all_three_settings_nothing_is_signed(app, queue_messages):
    [message] = queue_messages(1)
    for missing in ("DKIM_PRIVATE_KEY_PATH", "DKIM_SELECTOR", "DKIM_DOMAIN"):
        saved = app.config[missing]
        app.config[missing] = ""
        try:
            data = message_bytes(message)
        finally:
            app.config[missing] = saved
        assert b"DKIM-Signature" not in data
    assert message_bytes(message).startswith(b"DKIM-Signature:")


def test_an_unusable_key_holds_the_mail_back_until_it_is_fixed(
    app, smtp_server, queue_messages, outbox, frozen_now, dns, dkim_keys, tmp_path
):
    key = tmp_path / "dkim.pem"
    app.config["DKIM_PRIVATE_KEY_PATH"] = str(key)
    [message] = queue_messages(1)

    # No file yet: not sent unsigned, not failed for good; retried with backoff.
    assert deliver_due() == 0
    [row] = outbox()
    assert row.status == OutboxStatus.QUEUED
    assert row.attempts == 1
    assert "DKIM key" in row.last_error
    assert smtp_server.received == []

    # Something that is not a key: the same.
    key.write_text("-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n")
    frozen_now(NOW + timedelta(minutes=1))
    assert deliver_due() == 0
    [row] = outbox()
    assert row.status == OutboxStatus.QUEUED
    assert row.attempts == 2
    assert "DKIM key" in row.last_error

    # The key is put in place: the next try sends it, signed, once.
    key.write_bytes(Path(dkim_keys["pkcs8"]).read_bytes())
    frozen_now(NOW + timedelta(minutes=5))
    assert deliver_due() == 1
    assert smtp_server.message_id_counts() == {message.message_id: 1}
    assert dkim.verify(smtp_server.received[0].content, dnsfunc=dns)
    assert [row.status for row in outbox()] == [OutboxStatus.SENT]


def downgrade(data: bytes) -> bytes:
    """What a relay does towards a hop without 8BITMIME (RFC 6152): every 8bit part re-encoded as
    quoted-printable; a message with none passes untouched."""
    message = email.message_from_bytes(data, policy=policy.compat32)
    changed = False
    for part in message.walk():
        if not part.is_multipart() and part.get("Content-Transfer-Encoding", "").lower() == "8bit":
            payload = part.get_payload(decode=True)
            del part["Content-Transfer-Encoding"]
            part["Content-Transfer-Encoding"] = "quoted-printable"
            part.set_payload(quopri.encodestring(payload).decode("ascii"))
            changed = True
    if not changed:
        return data
    return message.as_bytes(policy=policy.compat32.clone(linesep="\r\n"))


def test_a_downgrading_relay_leaves_every_kind_of_signed_mail_verifiable(app, every_mail_kind, dns):
    app.config.update(MAIL_DEFAULT_SENDER=SENDER)
    for label, message in every_mail_kind.items():
        signed = message_bytes(message)
        assert dkim.verify(signed, dnsfunc=dns), label
        relayed = downgrade(signed)
        assert relayed == signed, label  # nothing needed re-encoding
        assert dkim.verify(relayed, dnsfunc=dns), label


def test_the_downgrade_breaks_an_8bit_signed_mail_which_is_why_we_send_none(app, dkim_keys, dns):
    eight_bit = (
        "From: info@reskilling.example.jp\r\nTo: a@city.example.jp\r\nSubject: test\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\nお申し込みを受け付けました。\r\n"
    ).encode()
    signed = (
        dkim.sign(
            eight_bit,
            SELECTOR.encode(),
            DOMAIN.encode(),
            dkim_keys["pkcs8"].read_bytes(),
            canonicalize=(b"relaxed", b"relaxed"),
        )
        + eight_bit
    )
    assert dkim.verify(signed, dnsfunc=dns)
    assert not dkim.verify(downgrade(signed), dnsfunc=dns)  # "body hash mismatch"
