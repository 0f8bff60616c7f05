"""Fifty simultaneous sign-ups through the API for ten seats: exactly ten confirmed and forty
waitlisted, over real connections to a real server, on SQLite and PostgreSQL."""

import json
import threading
import urllib.error
import urllib.request

from sqlalchemy import func, select

from app.extensions import db
from app.registrations.models import Registration, RegistrationStatus

SIGNUPS = 50


def post_json(url: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_fifty_simultaneous_api_sign_ups_for_ten_seats_confirm_exactly_ten(
    app, make_event, live_server
):
    event = make_event(capacity=10)
    event_id = event.id
    db.session.commit()
    url = f"{live_server}/api/v1/events/{event_id}/registrations"
    barrier = threading.Barrier(SIGNUPS)
    answers = []

    def sign_up(i):
        body = {
            "name": f"参加者{i}",
            "email": f"p{i}@city.example.jp",
            "organization": "鳥取県",
            "privacy": True,
        }
        barrier.wait()
        answers.append(post_json(url, body))

    threads = [threading.Thread(target=sign_up, args=(i,)) for i in range(SIGNUPS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)

    assert [status for status, _ in answers] == [201] * SIGNUPS
    said = sorted(body["status"] for _, body in answers)
    assert said == ["confirmed"] * 10 + ["waitlisted"] * 40
    stored = dict(
        db.session.execute(
            select(Registration.status, func.count())
            .where(Registration.event_id == event_id)
            .group_by(Registration.status)
        ).all()
    )
    assert stored == {RegistrationStatus.CONFIRMED: 10, RegistrationStatus.WAITLISTED: 40}
