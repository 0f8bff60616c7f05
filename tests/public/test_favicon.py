"""Every page links the favicon, and /favicon.ico, which some clients ask for without reading the
page, leads to it instead of a 404."""


def test_the_favicon_is_linked_and_found_at_its_usual_address(client):
    page = client.get("/").get_data(as_text=True)
    assert 'rel="icon" href="/static/favicon.svg"' in page
    response = client.get("/favicon.ico")
    assert (response.status_code, response.headers["Location"]) == (301, "/static/favicon.svg")
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.data.lstrip().startswith(b"<svg")
