"""The development mailbox page: the .eml files the outbox writes when no SMTP server is set,
newest first, each readable; names are checked so nothing outside the folder can be read."""

from pathlib import Path

import pytest

from app.mail.delivery import deliver_due
from tests.conftest import NOW


@pytest.fixture
def mailbox_dir(app) -> Path:
    return Path(app.config["MAIL_DEV_DIR"])


def test_the_mailbox_lists_what_the_dev_mailbox_wrote_newest_first_and_shows_each(
    organizer_client, make_event, make_registration, frozen_now, mailbox_dir
):
    event = make_event(title="自治体DXセミナー")
    make_registration(event, name="鳥取 太郎", email="taro@city.example.jp")
    assert deliver_due() == 1
    frozen_now(NOW.replace(hour=2))
    make_registration(event, name="松江 花子", email="hanako@city.example.jp")
    assert deliver_due() == 1
    names = sorted(p.name for p in mailbox_dir.iterdir())
    assert len(names) == 2

    page = organizer_client.get("/admin/mailbox").get_data(as_text=True)

    assert "【お申し込み完了】自治体DXセミナー" in page
    assert page.index("hanako@city.example.jp") < page.index("taro@city.example.jp")
    assert f'href="/admin/mailbox/{names[1]}"' in page
    assert "2026年8月1日(土) 11:00" in page

    one = organizer_client.get(f"/admin/mailbox/{names[0]}")
    text = one.get_data(as_text=True)
    assert one.status_code == 200
    assert "鳥取 太郎 様" in text
    assert "taro@city.example.jp" in text
    assert "invite.ics" in text  # the attachment is named


def test_an_empty_or_missing_mailbox_folder_shows_an_empty_list(organizer_client, mailbox_dir):
    assert not mailbox_dir.exists()
    response = organizer_client.get("/admin/mailbox")
    assert response.status_code == 200
    assert "まだメールはありません。" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "name",
    [
        "..",
        "..%2F..%2Fsecret.eml",
        "%2E%2E%2Fsecret.eml",
        "..%5Csecret.eml",
        "secret.eml",
        "notes.txt",
        "20260801-100000-000001.eml.bak",
        "20260801-100000-000009.eml",  # the right shape, but no such file
    ],
)
def test_names_that_are_not_dev_mailbox_files_are_not_found(organizer_client, mailbox_dir, name):
    mailbox_dir.mkdir(parents=True)
    (mailbox_dir / "notes.txt").write_text("not a mail")
    (mailbox_dir / "20260801-100000-000001.eml.bak").write_text("Subject: old\n\nx")
    (mailbox_dir.parent / "secret.eml").write_text("Subject: secret\n\ntop secret")

    response = organizer_client.get(f"/admin/mailbox/{name}")

    assert response.status_code == 404
    assert "top secret" not in response.get_data(as_text=True)


def test_the_mailbox_does_not_exist_when_an_smtp_server_is_configured(
    app, organizer_client, make_event, make_registration, mailbox_dir
):
    make_registration(make_event())
    deliver_due()
    [written] = mailbox_dir.iterdir()
    app.config["MAIL_SERVER"] = "smtp.example.jp"

    assert organizer_client.get("/admin/mailbox").status_code == 404
    assert organizer_client.get(f"/admin/mailbox/{written.name}").status_code == 404
    assert 'href="/admin/mailbox"' not in organizer_client.get("/admin/events").get_data(
        as_text=True
    )


def test_the_mailbox_needs_a_signed_in_organizer(client):
    response = client.get("/admin/mailbox")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login")
