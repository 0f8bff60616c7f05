"""Add-to-calendar links (Google Calendar, Outlook) on the public event page and on the attendee's
management page: times in UTC, the personal join link only on the personal page, never the
meeting URL."""

import re
from datetime import datetime
from html import unescape
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from app.audit.actor import SYSTEM
from app.extensions import db
from app.registrations.event_changes import cancel_event
from tests.calendar.icalcheck import BASE_URL, MEETING_HOST

HREF = re.compile(r'href="([^"]+)"')


def links_on(page: str) -> dict[str, dict[str, str]]:
    """The Google, Outlook.com and Microsoft 365 links on a page, as {name: query}."""
    found = {}
    for href in map(unescape, HREF.findall(page)):
        url = urlsplit(href)
        name = {
            "calendar.google.com": "google",
            "outlook.live.com": "outlook",
            "outlook.office.com": "office365",
        }.get(url.hostname or "")
        if name:
            assert name not in found, f"two {name} links"
            query = {key: values[0] for key, values in parse_qs(url.query).items()}
            found[name] = {"_path": url.path, **query}
    return found


def test_event_page_links_to_google_and_outlook_in_utc_without_meeting_url(client, make_event):
    event = make_event(title="リスキリング推進セミナー", venue="鳥取県庁", format="hybrid")
    response = client.get(f"/events/{event.slug}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert MEETING_HOST not in page
    assert f'href="/events/{event.slug}.ics"' in page

    links = links_on(page)
    google = links["google"]
    assert google["_path"] == "/calendar/render"
    assert google["action"] == "TEMPLATE"
    assert google["dates"] == "20260831T010000Z/20260831T030000Z"  # 10:00-12:00 JST
    assert google["text"] == "リスキリング推進セミナー"
    assert google["ctz"] == "Asia/Tokyo"
    assert "鳥取県庁" in google["location"]
    assert f"{BASE_URL}/events/{event.slug}" in google["details"]
    for name in ("outlook", "office365"):
        outlook = links[name]
        assert outlook["_path"] == "/calendar/0/action/compose"
        assert outlook["subject"] == "リスキリング推進セミナー"
        assert outlook["startdt"] == "2026-08-31T01:00:00Z"
        assert outlook["enddt"] == "2026-08-31T03:00:00Z"
    for query in links.values():
        assert not any(MEETING_HOST in value for value in query.values())
        assert not any("/j/" in value for value in query.values())


def test_management_page_links_carry_the_personal_join_link_not_the_meeting_url(
    client, make_event, make_registration
):
    event = make_event(title="オンライン定期共有会")
    registration = make_registration(event)
    response = client.get(f"/r/{registration.manage_token}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert MEETING_HOST not in page
    assert f'href="{BASE_URL}/r/{registration.manage_token}/invite.ics"' in page

    links = links_on(page)
    join_url = f"{BASE_URL}/j/{registration.join_token}"
    google = links["google"]
    assert google["action"] == "TEMPLATE"
    assert google["dates"] == "20260831T010000Z/20260831T030000Z"
    assert join_url in google["details"]
    assert google["location"] == join_url
    outlook = links["outlook"]
    assert outlook["startdt"] == "2026-08-31T01:00:00Z"
    assert join_url in outlook["body"]
    for query in links.values():
        assert not any(MEETING_HOST in value for value in query.values())


def test_all_day_links_use_dates_with_an_exclusive_end(client, make_event):
    jst = ZoneInfo("Asia/Tokyo")
    event = make_event(
        all_day=True,
        starts_at=datetime(2026, 8, 31, 9, tzinfo=jst),
        ends_at=datetime(2026, 8, 31, 17, tzinfo=jst),
    )
    links = links_on(client.get(f"/events/{event.slug}").get_data(as_text=True))
    assert links["google"]["dates"] == "20260831/20260901"
    assert links["outlook"]["startdt"] == "2026-08-31"
    assert links["outlook"]["enddt"] == "2026-09-01"
    assert links["outlook"]["allday"] == "true"


def test_cancelled_event_page_offers_no_calendar_links(client, make_event):
    event = make_event()
    cancel_event(event.id, actor=SYSTEM)
    db.session.commit()
    page = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert links_on(page) == {}


def test_outlook_links_encode_spaces_as_percent_20_which_outlook_decodes(app):
    """Outlook on the web shows a "+" literally: spaces must go as %20 (Google reads either)."""
    from app.calendar.ics import Entry
    from app.calendar.links import add_to_calendar_links

    entry = Entry(
        uid="1@example",
        sequence=0,
        stamp=datetime(2026, 8, 1, tzinfo=ZoneInfo("UTC")),
        summary="定期共有会 2026 下期 + 情報交換会",
        start=datetime(2026, 9, 15, 14, tzinfo=ZoneInfo("Asia/Tokyo")),
        end=datetime(2026, 9, 15, 16, tzinfo=ZoneInfo("Asia/Tokyo")),
        description="第一部 講演",
        location="鳥取県庁 第1会議室",
    )
    links = add_to_calendar_links(entry, "Asia/Tokyo")
    for name in ("outlook", "office365"):
        query = urlsplit(links[name]).query
        assert "+" not in query
        assert "%20" in query
        decoded = {k: v[0] for k, v in parse_qs(query).items()}
        assert decoded["subject"] == "定期共有会 2026 下期 + 情報交換会"
        assert decoded["location"] == "鳥取県庁 第1会議室"
