"""The secretariat's guide: every page renders in the console (without internet: no script, no
external address), the 「ヘルプ」 link opens the page for the screen being shown, every screenshot
a page shows exists, and every button the guide names (**「…」**) is a label the screens or the
translation catalog really have."""

import re
from pathlib import Path

import pytest

from app.admin.help import ENDPOINT_PAGES, FILES, GUIDE_DIR, PAGES, page_for

ROOT = Path(__file__).resolve().parents[2]
BUTTON = re.compile(r"\*\*「([^」]+)」\*\*")
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)]+)\)")
REQUIRED_TOPICS = (
    "初めての設定",
    "イベントを作る",
    "申し込みの管理",
    "当日の受付",
    "お知らせとリマインダーの配信",
    "半期の共有会",
    "年度替わり",
    "資料の共有",
    "集計と書き出し",
    "メールが届かないとき",
    "個人情報の扱い",
    "会員の取り込み",
)


def guide_sources() -> dict[str, str]:
    return {name: (GUIDE_DIR / name).read_text(encoding="utf-8") for _slug, name in PAGES}


def screen_words() -> str:
    """Every template and the catalog's msgids: where a button's label can come from."""
    texts = [path.read_text(encoding="utf-8") for path in (ROOT / "templates").rglob("*.html")]
    catalog = (ROOT / "translations" / "messages.pot").read_text(encoding="utf-8")
    texts += re.findall(r'^msgid "(.*)"$', catalog, re.M)
    return "\n".join(texts)


def test_the_guide_has_a_page_for_every_task():
    titles = [source.splitlines()[0] for source in guide_sources().values()]
    for topic in REQUIRED_TOPICS:
        assert any(topic in title for title in titles), topic


def test_every_screenshot_the_guide_shows_exists_and_is_small():
    shown = 0
    for name, source in guide_sources().items():
        for target in IMAGE.findall(source):
            path = GUIDE_DIR / target
            assert path.is_file(), (
                f"{name} shows {target}, which is missing: make guide-screenshots"
            )
            assert path.stat().st_size < 400_000, f"{target} is large; keep screenshots small"
            shown += 1
    assert shown >= 10


def test_every_button_the_guide_names_is_on_a_screen():
    words = screen_words()
    named = {label for source in guide_sources().values() for label in BUTTON.findall(source)}
    assert len(named) >= 20
    missing = sorted(label for label in named if label not in words)
    assert not missing, f"buttons named in docs/guide but on no screen: {missing}"


def test_every_console_screen_opens_a_guide_page(app):
    endpoints = [
        rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("admin.")
    ]
    for endpoint in endpoints:
        assert page_for(endpoint) in FILES, endpoint
    assert set(ENDPOINT_PAGES.values()) <= set(FILES)
    assert page_for("admin.member_import_columns") == "member-import"
    assert page_for("admin.members") == "handover"
    assert page_for("admin.event_statistics") == "statistics"


@pytest.mark.parametrize("slug", [slug for slug, _name in PAGES])
def test_each_page_renders_as_html_in_the_console(organizer_client, slug):
    response = organizer_client.get(f"/admin/help/{slug}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<h1>" in page and "<script" not in page and "https://" not in page.split("<body", 1)[1]
    for src in re.findall(r'<img src="([^"]+)"', page):
        assert src.startswith("/admin/help/images/"), src
        image = organizer_client.get(src)
        assert image.status_code == 200 and image.mimetype == "image/png"


def test_the_help_link_opens_the_page_for_the_screen(organizer_client):
    events = organizer_client.get("/admin/events").get_data(as_text=True)
    assert 'href="/admin/help/events"' in events and "ヘルプ" in events
    imports = organizer_client.get("/admin/members/import").get_data(as_text=True)
    assert 'href="/admin/help/member-import"' in imports
    # Links between pages stay inside the console.
    setup = organizer_client.get("/admin/help/setup").get_data(as_text=True)
    assert 'href="/admin/help/privacy"' in setup


def test_unknown_pages_and_images_are_not_found(organizer_client):
    assert organizer_client.get("/admin/help/nothing").status_code == 404
    assert organizer_client.get("/admin/help/images/..%2Fsecret.png").status_code == 404
    assert organizer_client.get("/admin/help/images/none.png").status_code == 404
    assert organizer_client.get("/admin/help").status_code == 200


def test_the_guide_needs_a_sign_in(client):
    assert client.get("/admin/help/setup").status_code == 302
    assert client.get("/admin/help/images/members.png").status_code == 302
