"""Request bodies are capped by endpoint: small for every form and the API, large only where
files are uploaded; a larger body is refused with 413 before any of it is read."""

import io

import pytest
from werkzeug.test import EnvironBuilder, run_wsgi_app

from app.body_limits import API_MAX_BYTES

TWENTY_MB = 20 * 1024 * 1024


class CountingStream(io.RawIOBase):
    """A request body of `size` bytes that counts how many of them the app read."""

    def __init__(self, size: int):
        self.size = size
        self.position = 0
        self.read_bytes = 0

    def readable(self):
        return True

    def seekable(self):  # the test client measures the body by seeking to its end
        return True

    def seek(self, offset, whence=io.SEEK_SET):
        self.position = offset if whence == io.SEEK_SET else self.size + offset
        return self.position

    def tell(self):
        return self.position

    def readinto(self, buffer):
        n = max(min(len(buffer), self.size - self.position), 0)
        buffer[:n] = b"a" * n
        self.position += n
        self.read_bytes += n
        return n


def post_unread(client, url, size=TWENTY_MB, content_type="application/x-www-form-urlencoded"):
    stream = CountingStream(size)
    response = client.post(url, input_stream=stream, content_length=size, content_type=content_type)
    return response, stream


@pytest.mark.parametrize(
    "url",
    [
        "/events/{slug}/register",
        "/events/{slug}/resend",
        "/join",
        "/contact",
        "/admin/login",
        "/admin/forgot-password",
        "/admin/reset-password/abc",
        "/members/profile/abc",
        "/unsubscribe/abc/one-click",
    ],
)
def test_a_20_mb_post_to_a_public_form_is_413_unread(client, make_event, url):
    response, stream = post_unread(client, url.format(slug=make_event().slug))
    assert response.status_code == 413
    assert "送信内容が大きすぎます" in response.get_data(as_text=True)
    assert stream.read_bytes == 0


def test_a_20_mb_post_to_the_api_is_a_413_problem_unread(client, make_event):
    event = make_event()
    response, stream = post_unread(
        client, f"/api/v1/events/{event.id}/registrations", content_type="application/json"
    )
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert stream.read_bytes == 0


def test_the_api_takes_a_body_up_to_its_documented_256_kib(client, make_event):
    event = make_event()
    body = b'{"name": "' + b"a" * (API_MAX_BYTES - 100) + b'"}'
    response = client.post(
        f"/api/v1/events/{event.id}/registrations", data=body, content_type="application/json"
    )
    assert response.status_code == 422  # read and validated, not refused for its size


def test_a_console_form_is_capped_too(organizer_client, make_event):
    event = make_event()
    response, stream = post_unread(organizer_client, f"/admin/events/{event.id}/edit")
    assert response.status_code == 413
    assert stream.read_bytes == 0


def test_uploads_keep_the_large_cap(app, organizer_client, make_event):
    event = make_event()
    size = app.config["FORM_MAX_BYTES"] * 2
    assert size < app.config["MAX_CONTENT_LENGTH"]
    token = organizer_client.token(f"/admin/events/{event.id}/attendance-import")
    response = organizer_client.post(
        f"/admin/events/{event.id}/attendance-import",
        data={"csrf_token": token, "file": (io.BytesIO(b"a" * size), "list.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code != 413


def test_a_chunked_body_without_a_length_is_read_no_further_than_the_cap(app, make_event):
    limit = app.config["FORM_MAX_BYTES"]
    stream = CountingStream(limit * 4)
    environ = EnvironBuilder(
        path=f"/events/{make_event().slug}/register",
        method="POST",
        input_stream=stream,
        content_type="application/x-www-form-urlencoded",
    ).get_environ()
    # As gunicorn passes on a chunked body: no length, and the server ends the stream.
    del environ["CONTENT_LENGTH"]
    environ["wsgi.input_terminated"] = True
    _body, status, _headers = run_wsgi_app(app, environ)
    # werkzeug stops at the cap and parses what it read (here: no CSRF token, so 400).
    assert status.startswith("4")
    assert stream.read_bytes <= limit


def test_a_json_body_sent_to_a_page_form_is_415(client, make_event):
    response = client.post(
        f"/events/{make_event().slug}/register",
        data="[" * 10_000 + "]" * 10_000,
        content_type="application/json",
        headers={"X-CSRFToken": client.token("/contact")},
    )
    assert response.status_code == 415


def test_json_to_an_api_url_that_matches_nothing_is_still_a_404_problem(client):
    response = client.patch("/api/v1/events/null", json={"title": "x"})
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
