"""Every page names itself in the browser tab (「イベントを編集: <title> | 事務局コンソール」) and links
a favicon that is really served."""

import re


def title_of(page: str) -> str:
    return re.search(r"<title>([^<]*)</title>", page).group(1)


def test_the_event_edit_page_title_names_the_event_and_the_console(organizer_client, make_event):
    event = make_event(title="9月 自治体DXセミナー")
    page = organizer_client.get(f"/admin/events/{event.id}/edit").get_data(as_text=True)
    assert title_of(page).startswith("イベントを編集: 9月 自治体DXセミナー | 事務局コンソール")


def test_every_page_links_a_favicon_that_is_served(client):
    page = client.get("/").get_data(as_text=True)
    href = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page).group(1)
    icon = client.get(href)
    assert icon.status_code == 200
    assert icon.get_data(as_text=True).startswith("<svg")
    login = client.get("/admin/login").get_data(as_text=True)
    assert f'href="{href}"' in login
