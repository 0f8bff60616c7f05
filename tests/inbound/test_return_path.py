"""The per-message return path: signed, tied to one outbox row, used as the envelope sender by
delivery, and the old envelope sender when BOUNCE_DOMAIN is not set."""

from app.mail.return_path import outbox_id_of, return_path
from tests.inbound.conftest import BOUNCE_DOMAIN


def test_return_path_names_the_row_and_reads_back(app):
    address = return_path(42)
    assert address.startswith("bounce+42.") and address.endswith("@" + BOUNCE_DOMAIN)
    assert outbox_id_of(address) == 42
    assert outbox_id_of(f"<{address.upper()}>") == 42  # servers may fold case, add brackets


def test_a_forged_or_foreign_return_path_names_nothing(app):
    address = return_path(42)
    local, _, _ = address.partition("@")
    assert outbox_id_of(address.replace("bounce+42.", "bounce+43.")) is None
    assert outbox_id_of(f"{local[:-1]}{'0' if local[-1] != '0' else '1'}@{BOUNCE_DOMAIN}") is None
    assert outbox_id_of(f"{local}@elsewhere.example.jp") is None
    assert outbox_id_of(f"bounce+{2**40}.{'0' * 20}@{BOUNCE_DOMAIN}") is None
    for junk in ("", "@", "bounce+@x", "\x00", "a" * 5000):
        assert outbox_id_of(junk) is None


def test_without_bounce_domain_there_is_no_return_path(app):
    app.config["BOUNCE_DOMAIN"] = ""
    assert return_path(42) is None
    assert outbox_id_of(f"bounce+42.{'0' * 20}@{BOUNCE_DOMAIN}") is None


def test_delivery_uses_the_messages_return_path_as_envelope_sender(
    app, queue_messages, deliver, smtp_server
):
    [first, second] = queue_messages(2)
    received = deliver()
    assert received[first.id].mail_from == return_path(first.id)
    assert received[second.id].mail_from == return_path(second.id)
    assert outbox_id_of(received[second.id].mail_from) == second.id


def test_without_bounce_domain_delivery_keeps_the_sender_address(
    app, queue_messages, deliver, smtp_server
):
    app.config["BOUNCE_DOMAIN"] = ""
    [message] = queue_messages(1)
    assert deliver()[message.id].mail_from == "no-reply@localhost"
