"""Take the screenshots of the secretariat's guide (docs/guide/images/*.png): the app with the
demo data on a temporary SQLite database, served on a local port, driven by Playwright with
Debian's chromium at 1024 px wide. Run with `make guide-screenshots`; not part of the tests.

Needs /usr/bin/chromium and a Japanese font (apt-get install -y chromium fonts-noto-cjk).
"""

import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from sqlalchemy import select  # noqa: E402
from werkzeug.serving import WSGIRequestHandler, make_server  # noqa: E402

from app import clock, create_app  # noqa: E402
from app.audit.actor import Actor  # noqa: E402
from app.demo import seed_demo  # noqa: E402
from app.events.models import Event  # noqa: E402
from app.extensions import db  # noqa: E402
from app.inputs import parse  # noqa: E402
from app.members.imports import services as imports  # noqa: E402
from app.organizers.services import create_organizer  # noqa: E402
from app.registrations.inputs import RegistrationInput  # noqa: E402
from app.registrations.signup import register_attendee  # noqa: E402

IMAGES = ROOT / "docs" / "guide" / "images"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
EMAIL, PASSWORD = "jimukyoku@secretariat.example.jp", "guide screenshots only"
WIDTH, HEIGHT = 1024, 800
SAMPLE_CSV = (
    "自治体名,所属,氏名,ふりがな,メールアドレス,同意日,同意方法\r\n"
    "鳥取県,総務部デジタル推進課,山田 花子,やまだ はなこ,hanako@pref.example.lg.jp,2025/4/1,参加申込書（紙）\r\n"
    "横須賀,DX推進課,佐藤 次郎,さとう じろう,jiro@city.example.lg.jp,,\r\n"
    "府中市,情報政策課,鈴木 三郎,すずき さぶろう,saburo@city.example.lg.jp,2025/5/1,メールで返信\r\n"
    "龍ヶ崎市,企画課,高橋 四郎,たかはし しろう,ｓｈｉｒｏ＠ＣＩＴＹ．ＥＸＡＭＰＬＥ．ＬＧ．ＪＰ,2025/6/1,説明会で口頭\r\n"
    "総務省,自治行政局,田中 五郎,たなか ごろう,goro@example.go.jp,,\r\n"
).encode("cp932")


class Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


def prepare(app) -> dict:
    """The demo data, an organizer, a few sign-ups and an import waiting to be confirmed."""
    upgrade(directory=str(ROOT / "migrations"))
    now = clock.now()
    seed_demo(now)
    organizer = create_organizer(EMAIL, PASSWORD, "admin", "事務局 花子", actor=Actor.cli())
    event = db.session.scalars(select(Event).order_by(Event.starts_at)).first()
    people = [
        ("鳥取県", "山田 花子"),
        ("東京都江戸川区", "佐藤 次郎"),
        ("北海道札幌市", "鈴木 三郎"),
    ]
    for n, (organization, name) in enumerate(people):
        data = {
            "name": name,
            "organization": organization,
            "email": f"person{n}@city.example.lg.jp",
            "parts": [part.id for part in event.parts][:1],
        }
        register_attendee(event.id, parse(RegistrationInput, data), now)
    batch = imports.start_import(SAMPLE_CSV, "会員名簿.csv", Actor.cli(organizer), now)
    db.session.commit()
    return {"event": event.id, "import": batch.id}


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/guide.db",
                "MAIL_SERVER": "",
                "MAIL_DEV_DIR": f"{folder}/mail",
                "PUBLIC_BASE_URL": "https://reskilling.example.jp",
                "RATELIMIT_STORAGE_URI": "memory://",
            }
        )
        with app.app_context():
            ids = prepare(app)
            db.session.remove()
            server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Quiet)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            try:
                shoot(f"http://127.0.0.1:{server.server_port}", ids)
            finally:
                server.shutdown()


def shoot(base: str, ids: dict) -> None:
    event, batch = ids["event"], ids["import"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(locale="ja-JP", viewport={"width": WIDTH, "height": HEIGHT})
        page = context.new_page()
        page.goto(base + "/admin/login")
        page.get_by_label("メールアドレス").fill(EMAIL)
        page.get_by_label("パスワード").fill(PASSWORD)
        page.get_by_role("button", name="ログイン").click()
        page.wait_for_url("**/admin/**")

        def shot(path: str, name: str) -> None:
            page.goto(base + path)
            page.screenshot(path=str(IMAGES / f"{name}.png"))
            print(f"docs/guide/images/{name}.png")

        shot("/admin/events", "events-list")
        shot("/admin/events/new", "event-new")
        shot(f"/admin/events/{event}/registrants", "registrants")
        shot("/admin/announcements/new", "announcement-new")
        shot("/admin/notices/next", "notice-preview")
        shot("/admin/members", "members")
        shot(f"/admin/events/{event}/materials", "materials")
        shot(f"/admin/events/{event}/statistics", "statistics")
        shot("/admin/mailbox", "mailbox")
        shot("/admin/members/import", "member-import-upload")
        shot(f"/admin/members/import/{batch}", "member-import-columns")
        page.get_by_role("button", name="プレビューを表示").click()
        page.wait_for_selector("text=取り込みを確定する")
        page.screenshot(path=str(IMAGES / "member-import-preview.png"))
        print("docs/guide/images/member-import-preview.png")
        shot("/admin/audit", "audit-log")
        phone = browser.new_context(
            locale="ja-JP",
            viewport={"width": 390, "height": 800},
            storage_state=context.storage_state(),
        ).new_page()
        phone.goto(base + f"/admin/events/{event}/checkin")
        phone.screenshot(path=str(IMAGES / "checkin.png"))
        print("docs/guide/images/checkin.png")
        browser.close()


if __name__ == "__main__":
    main()
