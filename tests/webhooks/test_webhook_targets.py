"""Webhooks cannot be turned into a scanner of internal addresses: only https to hosts whose
every resolved address is public, checked when saved and at every delivery, connected to the
address that was checked, redirects not followed, and the receiver's answer never shown.

No test here connects anywhere but 127.0.0.1: names are answered by a stubbed resolver
(tests/webhooks/dns.py) and the `connections` fixture fails a test that tries anything else."""

import shutil
import socket
import ssl
import subprocess

import pytest
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.scheduling.jobs import run_webhook_round
from app.webhooks import targets, transport
from app.webhooks.models import WebhookDelivery, WebhookEndpoint
from app.webhooks.services import InvalidEndpoint, create_endpoint
from tests import factories

INTERNAL = ["169.254.169.254", "10.0.0.1", "::1", "::ffff:127.0.0.1"]


def only_delivery():
    [row] = db.session.scalars(select(WebhookDelivery)).all()
    return row


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.0.0.1",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "192.0.2.1",
        "::1",
        "::",
        "fe80::1%eth0",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "64:ff9b::7f00:1",
        "2002:7f00:1::",
    ],
)
def test_addresses_that_are_not_public_are_refused(address):
    assert not targets.address_allowed(address)


def test_public_addresses_are_allowed_and_the_development_flag_adds_only_loopback():
    for address in ("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "::ffff:93.184.216.34"):
        assert targets.address_allowed(address)
    for address in ("127.0.0.1", "::1", "::ffff:127.0.0.1"):
        assert targets.address_allowed(address, allow_loopback=True)
    for address in ("10.0.0.1", "169.254.169.254", "fe80::1"):
        assert not targets.address_allowed(address, allow_loopback=True)


@pytest.mark.parametrize(
    "host",
    ["0x7f000001", "2130706433", "0177.0.0.1", "127.1", "[::1]", "[::ffff:127.0.0.1]", "[::]"],
)
def test_numeric_spellings_of_loopback_are_refused_by_the_address_they_resolve_to(app, host):
    with pytest.raises(targets.TargetRefused) as refused:
        targets.check(f"https://{host}/hooks")
    assert refused.value.category == "blocked"


@pytest.mark.parametrize("address", [*INTERNAL, ["93.184.216.34", "10.0.0.1"]])
def test_saving_a_url_whose_host_resolves_inside_is_refused_without_connecting(
    admin_client, dns, connections, address
):
    dns["inside.example.jp"] = address if isinstance(address, list) else [address]
    response = admin_client.submit(
        "/admin/webhooks",
        {"url": "https://inside.example.jp/hooks", "events": ["registration.created"]},
    )
    assert response.status_code == 422
    assert "この宛先には送信できません" in response.get_data(as_text=True)
    assert db.session.scalar(select(WebhookEndpoint)) is None
    assert connections == []


def test_plain_http_and_unknown_hosts_are_refused_and_the_flag_allows_only_loopback(app):
    with pytest.raises(InvalidEndpoint) as refused:
        create_endpoint("http://hooks.example.jp/in", ["registration.created"])
    assert str(refused.value.message) == "https:// で始まるURLを入力してください。"
    with pytest.raises(InvalidEndpoint) as refused:
        create_endpoint("https://nowhere.invalid/in", ["registration.created"])
    assert "このホスト名の宛先が見つかりません" in str(refused.value.message)
    with pytest.raises(InvalidEndpoint):
        create_endpoint("https://user@hooks.example.jp/in", ["registration.created"])
    with pytest.raises(InvalidEndpoint):
        create_endpoint("http://127.0.0.1:8080/in", ["registration.created"])

    app.config["WEBHOOK_ALLOW_INSECURE"] = True
    assert create_endpoint("http://127.0.0.1:8080/in", ["registration.created"]).id
    with pytest.raises(InvalidEndpoint):
        create_endpoint("http://10.0.0.1/in", ["registration.created"])
    with pytest.raises(InvalidEndpoint):
        create_endpoint("http://[fe80::1]/in", ["registration.created"])


@pytest.mark.parametrize("address", INTERNAL)
def test_a_host_that_now_resolves_inside_fails_its_delivery_without_connecting(
    app, admin_client, dns, connections, make_event, address
):
    create_endpoint("https://hooks.example.jp/in", ["registration.created"])
    db.session.commit()
    dns["hooks.example.jp"] = [address]  # the DNS answer changed after the URL was saved
    factories.make_registration(make_event())
    assert run_webhook_round(clock.now()) == 0
    row = only_delivery()
    assert (row.status, row.attempts, row.last_error) == ("queued", 1, "blocked")
    assert connections == []
    assert "宛先が許可されていません" in admin_client.get("/admin/webhooks").get_data(as_text=True)


def test_the_delivery_connects_to_the_address_it_checked_whatever_dns_says_next(
    app, receiver, connections, make_event, monkeypatch
):
    hooks = receiver()
    asked = []

    def rebinding(host, port, *args, **kwargs):
        # The first answer passes the check; a second lookup (at connect time) would get 10.x.
        asked.append(host)
        address = "127.0.0.1" if len(asked) == 1 else "10.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    create_endpoint(f"http://127.0.0.1:{hooks.port}/hooks", ["registration.created"])
    endpoint = db.session.scalar(select(WebhookEndpoint))
    endpoint.url = f"http://rebind.example.jp:{hooks.port}/hooks"  # saved before the rebind
    db.session.commit()
    factories.make_registration(make_event())
    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    assert run_webhook_round(clock.now()) == 1
    assert asked == ["rebind.example.jp"]  # one lookup: the one that was checked
    assert connections == [("127.0.0.1", hooks.port)]
    [(headers, _body)] = hooks.requests
    assert headers["Host"] == f"rebind.example.jp:{hooks.port}"


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_is_a_failure_and_is_not_followed(app, receiver, make_event, status):
    elsewhere = receiver()
    hooks = receiver([status] * 3, headers={"Location": elsewhere.url})
    create_endpoint(hooks.url, ["registration.created"])
    db.session.commit()
    factories.make_registration(make_event())
    assert run_webhook_round(clock.now()) == 0
    assert only_delivery().last_error == "redirect"
    assert len(hooks.requests) == 1
    assert elsewhere.requests == []


def test_the_receivers_answer_is_never_stored_or_shown(app, admin_client, receiver, make_event):
    body = b"Internal Server Error: password=hunter2 at db.corp.internal:5432"
    hooks = receiver([500], body=body)
    create_endpoint(hooks.url, ["registration.created"])
    db.session.commit()
    factories.make_registration(make_event())
    assert run_webhook_round(clock.now()) == 0
    assert only_delivery().last_error == "HTTP 500"
    page = admin_client.get("/admin/webhooks").get_data(as_text=True)
    assert "HTTP 500" in page and "hunter2" not in page

    # A row written before failures were categories shows as a failure, not as its text.
    row = only_delivery()
    row.last_error = "<urlopen error [Errno 111] db.corp.internal refused>"
    db.session.commit()
    page = admin_client.get("/admin/webhooks").get_data(as_text=True)
    assert "送信できませんでした" in page and "db.corp.internal" not in page


def test_a_closed_port_and_a_silent_receiver_are_connect_and_timeout(
    app, receiver, make_event, monkeypatch
):
    receiver()  # turns on the development flag
    app.config["WEBHOOK_TIMEOUT_SECONDS"] = 1
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts the connection, never answers
    try:
        create_endpoint("http://127.0.0.1:9/closed", ["registration.created"])
        create_endpoint(
            f"http://127.0.0.1:{listener.getsockname()[1]}/silent", ["registration.created"]
        )
        db.session.commit()
        factories.make_registration(make_event())
        assert run_webhook_round(clock.now()) == 0
    finally:
        listener.close()
    errors = [row.last_error for row in db.session.scalars(select(WebhookDelivery))]
    assert errors == ["connect", "timeout"]


# --- TLS: verified against the URL's host name while connecting to the checked address -------


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    """A test CA and a certificate for hooks.example.jp it signed (made with the openssl CLI)."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command")
    folder = tmp_path_factory.mktemp("tls")

    def run(*args):
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
        "-days", "2", "-subj", "/CN=Test CA", "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign")  # fmt: skip
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "hooks.key", "-out", "hooks.csr",
        "-subj", "/CN=hooks.example.jp")  # fmt: skip
    (folder / "ext.cnf").write_text("subjectAltName=DNS:hooks.example.jp\n")
    run("x509", "-req", "-in", "hooks.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "hooks.pem", "-days", "2", "-extfile", "ext.cnf")  # fmt: skip
    return folder


@pytest.fixture
def tls_receiver(receiver, certificates, monkeypatch):
    """A receiver on 127.0.0.1 speaking TLS as hooks.example.jp; the client trusts the test CA."""
    hooks = receiver()
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(certificates / "hooks.pem", certificates / "hooks.key")
    hooks.server.socket = server_context.wrap_socket(hooks.server.socket, server_side=True)
    real = ssl.create_default_context
    monkeypatch.setattr(
        transport.ssl,
        "create_default_context",
        lambda *args, **kwargs: real(cafile=str(certificates / "ca.pem")),
    )
    return hooks


def test_tls_is_verified_against_the_host_name_not_the_address(
    app, tls_receiver, dns, connections, make_event
):
    dns["hooks.example.jp"] = ["127.0.0.1"]
    dns["other.example.jp"] = ["127.0.0.1"]
    create_endpoint(f"https://hooks.example.jp:{tls_receiver.port}/hooks", ["registration.created"])
    create_endpoint(f"https://other.example.jp:{tls_receiver.port}/hooks", ["registration.created"])
    db.session.commit()
    factories.make_registration(make_event())
    assert run_webhook_round(clock.now()) == 1
    good, wrong_name = db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id))
    assert (good.status, good.last_error) == ("delivered", "")
    assert (wrong_name.status, wrong_name.last_error) == ("queued", "tls")
    assert len(tls_receiver.requests) == 1
    assert {address for address, _ in connections} == {"127.0.0.1"}
