"""A download link opens one material for the one person it was mailed to: it is checked in
constant time, logged, and the file comes as an attachment under its original (Japanese) name.
Anyone else's token, a token for another material, or a link to a file that is gone gets the
friendly 404 page and logs nothing."""

import io
from urllib.parse import quote, urlsplit

import pytest

from app.audit.actor import SYSTEM
from app.extensions import db
from app.materials import catalogue, files
from app.materials.downloads import download_url
from app.registrations.models import RegistrationStatus
from app.tokens import new_nonce
from tests.conftest import NOW
from tests.materials.samples import downloads, package, pdf


def add_file(event, filename="第1回資料.pdf", content=None):
    material = catalogue.add_file(
        event.id, "", filename, io.BytesIO(content or pdf()), actor=SYSTEM
    )
    db.session.commit()
    return material


def path_of(material, holder) -> str:
    return urlsplit(download_url(material, holder)).path


def assert_refused(response):
    assert response.status_code == 404
    assert "資料のリンクが無効です" in response.get_data(as_text=True)
    assert downloads() == []


def test_a_registrant_downloads_the_file_as_an_attachment_and_it_is_logged(
    client, make_event, make_registration
):
    event = make_event()
    registration = make_registration(event)
    content = pdf(1000)
    material = add_file(event, "第1回 基調講演.pdf", content)

    response = client.get(path_of(material, registration))

    assert response.status_code == 200
    assert response.data == content
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('第1回 基調講演.pdf')}" in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "private" in response.headers["Cache-Control"]
    [logged] = downloads()
    assert logged.material_id == material.id
    assert logged.registration_id == registration.id and logged.member_id is None
    assert logged.downloaded_at == NOW


def test_an_office_file_comes_with_its_office_mimetype(client, make_event, make_registration):
    event = make_event()
    registration = make_registration(event)
    material = add_file(event, "集計.xlsx", package("xlsx"))
    response = client.get(path_of(material, registration))
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def test_a_member_downloads_with_their_own_link_and_it_is_logged(client, make_event, make_member):
    member = make_member()
    material = add_file(make_event())

    response = client.get(path_of(material, member))

    assert response.status_code == 200
    [logged] = downloads()
    assert logged.member_id == member.id and logged.registration_id is None


def test_each_download_is_logged(client, make_event, make_registration):
    event = make_event()
    registration = make_registration(event)
    material = add_file(event)
    for _ in range(3):
        assert client.get(path_of(material, registration)).status_code == 200
    assert len(downloads()) == 3
    assert catalogue.download_counts(event.id) == {material.id: (3, 1)}


def test_a_link_material_redirects_after_logging(client, make_event, make_registration):
    event = make_event()
    registration = make_registration(event)
    material = catalogue.add_link(
        event.id, "録画", "https://video.example.jp/watch?v=1", actor=SYSTEM
    )
    db.session.commit()

    response = client.get(path_of(material, registration))

    assert response.status_code == 302
    assert response.headers["Location"] == "https://video.example.jp/watch?v=1"
    assert len(downloads()) == 1


# --- refused ---------------------------------------------------------------------------------


def test_another_persons_token_does_not_open_the_file_for_someone_else(
    client, make_event, make_registration
):
    event = make_event()
    alice = make_registration(event)
    bob = make_registration(event)
    material = add_file(event)
    alice_mac = path_of(material, alice).rsplit(".", 1)[1]
    # Alice's signature on Bob's row id: the id and the MAC must belong together.
    forged = f"/materials/{material.id}/r/{bob.id}.{alice_mac}"
    assert_refused(client.get(forged))


def test_a_token_for_one_material_does_not_open_another(client, make_event, make_registration):
    event = make_event()
    registration = make_registration(event)
    first = add_file(event, "a.pdf")
    second = add_file(event, "b.pdf")
    path = path_of(first, registration).replace(
        f"/materials/{first.id}/", f"/materials/{second.id}/"
    )
    assert_refused(client.get(path))


def test_a_registrant_token_does_not_open_another_events_material(
    client, make_event, make_registration
):
    registration = make_registration(make_event())
    other_material = add_file(make_event())
    assert_refused(client.get(path_of(other_material, registration)))


def test_a_registrant_token_is_not_a_member_token(client, make_event, make_registration):
    event = make_event()
    registration = make_registration(event)
    material = add_file(event)
    assert_refused(client.get(path_of(material, registration).replace("/r/", "/m/")))
    assert_refused(client.get(path_of(material, registration).replace("/r/", "/x/")))


def test_a_new_nonce_revokes_the_links_already_mailed(client, make_event, make_member):
    member = make_member()
    material = add_file(make_event())
    path = path_of(material, member)
    member.list_nonce = new_nonce()
    db.session.commit()
    assert_refused(client.get(path))


@pytest.mark.parametrize(
    "token", ["junk", "1", "1.", "x.abc", "99999.abc", "1." + "A" * 100, "１.abc"]
)
def test_malformed_tokens_get_the_friendly_page(client, make_event, make_registration, token):
    event = make_event()
    make_registration(event)
    material = add_file(event)
    assert_refused(client.get(f"/materials/{material.id}/r/{token}"))


def test_an_unknown_material_gets_the_friendly_page(client, make_event, make_registration):
    registration = make_registration(make_event())
    assert_refused(client.get(f"/materials/999/r/{registration.manage_token}"))


def test_a_file_gone_from_the_disk_gets_the_friendly_page(client, make_event, make_registration):
    event = make_event()
    registration = make_registration(event)
    material = add_file(event)
    files.stored_path(material).unlink()
    assert_refused(client.get(path_of(material, registration)))


def test_a_cancelled_registration_keeps_its_link(client, make_event, make_registration):
    # Materials were sent after the event; cancelling later does not take them back.
    event = make_event()
    registration = make_registration(event)
    material = add_file(event)
    registration.status = RegistrationStatus.CANCELLED
    db.session.commit()
    assert client.get(path_of(material, registration)).status_code == 200
