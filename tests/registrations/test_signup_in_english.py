"""The new sign-up, picker and event-page wording in English, the second language."""

import html

from tests.registrations.test_signup_form import TWO_PARTS
from tests.registrations.test_views import VALID, register_url


def test_sign_up_errors_picker_and_seats_read_in_english(client, make_event, make_registration):
    event = make_event(**TWO_PARTS, capacity=5)
    client.get("/lang/en?next=/")
    page = html.unescape(client.get(register_url(event)).get_data(as_text=True))
    assert "None (not joining the exchange session)" in page
    r = client.submit(register_url(event), {**VALID, "organization": "ひろしま", "name": ""})
    page = html.unescape(r.get_data(as_text=True))
    assert "matches more than one local government" in page
    assert "<title>Please check what you entered |" in page
    page = html.unescape(client.get(f"/events/{event.slug}").get_data(as_text=True))
    assert "5 seats left (of 5)" in page
