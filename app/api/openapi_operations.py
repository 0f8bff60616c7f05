"""The operations of the OpenAPI document: every path of /api/v1 with its summary, description,
parameters, body and responses. tests/api/test_api_openapi.py keeps it true to the app's routes."""

from app.api.openapi_examples import (
    ANNOUNCEMENT_EXAMPLE,
    EVENT_EXAMPLE,
    MEMBER_EXAMPLE,
    REGISTRATION_EXAMPLE,
)
from app.api.openapi_schemas import BOOLEAN, ID, enum_schema, ref
from app.api.schemas import STATUSES
from app.events.models import EventStatus
from app.members.models import MemberStatus

PROBLEM = "application/problem+json"

PROBLEMS = {
    "400": "本文をJSONとして読み取れない、またはクエリ文字列にNUL文字がある",
    "401": "APIトークンがない、正しくない、または取り消されている",
    "404": "見つからない（公開前のイベントは事務局にだけ見えます）",
    "409": "現在の状態では処理できない（申込済み、受付期間外、満席、状態の違いなど）",
    "413": "本文が大きすぎる（256 KiB まで）",
    "415": "Content-Type が application/json でない",
    "422": "入力の誤り。errors に項目（field）と理由（message）",
    "429": "リクエストが多すぎる（Retry-After 秒後に再試行）",
}


def _problem_response(code: str) -> dict:
    return {
        "description": PROBLEMS[code],
        "content": {PROBLEM: {"schema": ref("Problem")}},
    }


def _json(schema_name: str, description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": ref(schema_name)}},
    }


def _id(name: str, description: str) -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": ID,
        "example": 1,
    }


def _query(name: str, schema: dict, description: str) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


PAGING = [
    _query("page", {"type": "integer", "minimum": 1, "maximum": 1_000_000}, "ページ番号（1から）"),
    _query(
        "per_page",
        {"type": "integer", "minimum": 1, "maximum": 100},
        "1ページの件数（既定 20、最大 100）",
    ),
]


def _operation(
    summary: str,
    tag: str,
    ok: tuple[str, dict],
    errors: tuple[str, ...],
    organizer: bool,
    description: str = "",
    parameters=(),
    body: str | None = None,
    example: dict | None = None,
    operation_id: str = "",
) -> dict:
    operation = {"operationId": operation_id, "summary": summary, "tags": [tag]}
    if description:
        operation["description"] = description
    if parameters:
        operation["parameters"] = list(parameters)
    if body:
        media = {"schema": ref(body)}
        if example:
            media["example"] = example
        operation["requestBody"] = {"required": True, "content": {"application/json": media}}
    operation["security"] = [{"bearerAuth": []}] if organizer else [{}, {"bearerAuth": []}]
    responses = {ok[0]: ok[1]}
    # Every route refuses a NUL in the query string with 400 (app/routing.py), body or not.
    codes = set(errors) | {"400", "401"}
    if organizer:
        codes.add("429")
    if body:
        codes |= {"400", "413", "415", "422"}
    for code in sorted(codes):
        responses[code] = _problem_response(code)
    operation["responses"] = responses
    return operation


def paths() -> dict:
    event_id = _id("event_id", "イベントのID")
    registration_id = _id("registration_id", "申込のID")
    registration_ok = ("200", _json("Registration", "操作後の申込"))
    return {
        "/api/v1/events": {
            "get": _operation(
                "イベントの一覧",
                "events",
                ("200", _json("EventPage", "開始日時の早い順")),
                ("422",),
                organizer=False,
                description="公開中・中止のイベント。APIトークンがあれば下書きも含み、meeting_url も返します。",
                parameters=[
                    _query(
                        "status", enum_schema(EventStatus), "状態で絞り込む（draft は事務局のみ）"
                    ),
                    _query("upcoming", BOOLEAN, "true なら終了していないイベントだけ"),
                    *PAGING,
                ],
                operation_id="listEvents",
            ),
            "post": _operation(
                "イベントを作成",
                "events",
                ("201", _json("Event", "作成したイベント")),
                ("409",),
                organizer=True,
                description="コンソールのイベント作成と同じ項目とルール。部・テーブル・質問・リマインダーも指定できます。"
                '"status": "published" で作成と同時に公開（省略すると下書き）。GET の応答をそのまま送れます（id・slug など読み取り専用の項目は無視）。',
                body="EventInput",
                example=EVENT_EXAMPLE,
                operation_id="createEvent",
            ),
        },
        "/api/v1/events/{event_id}": {
            "get": _operation(
                "イベントを取得",
                "events",
                ("200", _json("Event", "イベント")),
                ("404",),
                organizer=False,
                parameters=[event_id],
                operation_id="getEvent",
            ),
            "put": _operation(
                "イベントを置き換え",
                "events",
                ("200", _json("Event", "変更後のイベント")),
                ("404", "409"),
                organizer=True,
                description="本文で丸ごと置き換えます（省略した任意項目は既定値）。GET の応答を編集して送れます。"
                "日時・場所の変更は PATCH と同じく参加確定者へ更新された招待を送ります（notify=false で送らない）。"
                "status を指定すると公開・非公開も切り替えます。",
                parameters=[
                    event_id,
                    _query("notify", BOOLEAN, "日時・場所の変更を参加者にメールする（既定 true）"),
                ],
                body="EventInput",
                example=EVENT_EXAMPLE,
                operation_id="replaceEvent",
            ),
            "patch": _operation(
                "イベントを変更",
                "events",
                ("200", _json("Event", "変更後のイベント")),
                ("404", "409"),
                organizer=True,
                description="省略した項目はそのまま。parts・tables・questions は指定すると丸ごと置き換え（残す行は id 付き）。"
                "日時・場所の変更は、コンソールと同じく参加確定者へ更新された招待を送り（notify=false で送らない）、リマインダーも移ります。",
                parameters=[
                    event_id,
                    _query("notify", BOOLEAN, "日時・場所の変更を参加者にメールする（既定 true）"),
                ],
                body="EventPatch",
                example={
                    "starts_at": "2026-09-16T14:00:00+09:00",
                    "ends_at": "2026-09-16T17:00:00+09:00",
                },
                operation_id="updateEvent",
            ),
        },
        "/api/v1/events/{event_id}/publish": {
            "post": _operation(
                "イベントを公開",
                "events",
                ("200", _json("Event", "公開したイベント")),
                ("404", "409"),
                organizer=True,
                parameters=[event_id],
                operation_id="publishEvent",
            ),
        },
        "/api/v1/events/{event_id}/cancel": {
            "post": _operation(
                "イベントを中止",
                "events",
                ("200", _json("Event", "中止したイベント")),
                ("404",),
                organizer=True,
                description="参加確定者にはカレンダーの取り消し、キャンセル待ち・承認待ちの方にはお知らせをメールします。",
                parameters=[event_id],
                operation_id="cancelEvent",
            ),
        },
        "/api/v1/events/{event_id}/registrations": {
            "get": _operation(
                "イベントの申込一覧",
                "registrations",
                ("200", _json("RegistrationPage", "申込順")),
                ("404", "422"),
                organizer=True,
                parameters=[
                    event_id,
                    _query("status", enum_schema(STATUSES), "状態で絞り込む"),
                    *PAGING,
                ],
                operation_id="listRegistrations",
            ),
            "post": _operation(
                "参加を申し込む",
                "registrations",
                (
                    "201",
                    _json(
                        "Registration",
                        "status は confirmed（参加確定）、waitlisted（キャンセル待ち）、承認制のイベントでは pending",
                    ),
                ),
                ("404", "409", "429"),
                organizer=False,
                description="申込フォームと同じ入力チェック・重複・定員のルール。確認メールが送られます。クライアント（IP）ごとに回数制限があります。",
                parameters=[event_id],
                body="RegistrationInput",
                example=REGISTRATION_EXAMPLE,
                operation_id="createRegistration",
            ),
        },
        "/api/v1/registrations/{registration_id}": {
            "get": _operation(
                "申込を取得",
                "registrations",
                ("200", _json("Registration", "申込")),
                ("404",),
                organizer=True,
                parameters=[registration_id],
                operation_id="getRegistration",
            ),
        },
        "/api/v1/registrations/{registration_id}/cancel": {
            "post": _operation(
                "申込をキャンセル",
                "registrations",
                registration_ok,
                ("404", "409"),
                organizer=True,
                description="ご本人にメールし、空いた席はキャンセル待ちの先頭の方へ。",
                parameters=[registration_id],
                operation_id="cancelRegistration",
            ),
        },
        "/api/v1/registrations/{registration_id}/promote": {
            "post": _operation(
                "キャンセル待ちから参加確定へ",
                "registrations",
                registration_ok,
                ("404", "409"),
                organizer=True,
                description="空席があるときだけ（なければ 409）。",
                parameters=[registration_id],
                operation_id="promoteRegistration",
            ),
        },
        "/api/v1/registrations/{registration_id}/check-in": {
            "post": _operation(
                "当日の受付",
                "registrations",
                registration_ok,
                ("404", "409"),
                organizer=True,
                parameters=[registration_id],
                operation_id="checkInRegistration",
            ),
        },
        "/api/v1/members": {
            "get": _operation(
                "会員の一覧",
                "members",
                ("200", _json("MemberPage", "登録順")),
                ("422",),
                organizer=True,
                parameters=[_query("status", enum_schema(MemberStatus), "状態で絞り込む"), *PAGING],
                operation_id="listMembers",
            ),
            "post": _operation(
                "ネットワークへの参加を申し込む",
                "members",
                (
                    "202",
                    _json("Accepted", "確認メールを送りました（既に会員かどうかは明かしません）"),
                ),
                ("429",),
                organizer=False,
                description="/join と同じダブルオプトイン: 確認メールのリンクを開くと会員になります。",
                body="MemberApplication",
                example=MEMBER_EXAMPLE,
                operation_id="applyForMembership",
            ),
        },
        "/api/v1/members/{member_id}": {
            "put": _operation(
                "会員の登録内容を訂正",
                "members",
                ("200", _json("Member", "訂正後の会員")),
                ("404",),
                organizer=True,
                description="お名前・部署・関心のあるテーマ・ご参加自治体一覧への掲載を訂正します（ご本人が登録内容のページでできることと同じ）。"
                "GET の応答をそのまま編集して送れます。メールアドレス・所属団体・同意の記録は読み取り専用です。",
                parameters=[_id("member_id", "会員のID")],
                body="MemberInput",
                example={
                    "name": "山田 花子",
                    "department": "総務部 DX推進課",
                    "theme_interests": ["staff"],
                },
                operation_id="replaceMember",
            ),
            "get": _operation(
                "会員を取得",
                "members",
                ("200", _json("Member", "会員")),
                ("404",),
                organizer=True,
                parameters=[_id("member_id", "会員のID")],
                operation_id="getMember",
            ),
        },
        "/api/v1/announcements": {
            "post": _operation(
                "一斉配信を作成・予約・送信",
                "announcements",
                ("201", _json("Announcement", "作成したお知らせ")),
                ("409",),
                organizer=True,
                description="status が draft なら下書き、scheduled なら send_at に予約、queued なら今すぐ送信"
                "（省略時は send_at があれば予約、なければ下書き）。差し込み項目 {name} {organization} {event_title} {event_date} {manage_url} {join_url} は配信先に応じて使えます。",
                body="AnnouncementInput",
                example=ANNOUNCEMENT_EXAMPLE,
                operation_id="createAnnouncement",
            ),
        },
        "/api/v1/announcements/{announcement_id}": {
            "put": _operation(
                "一斉配信を置き換え",
                "announcements",
                ("200", _json("Announcement", "変更後のお知らせ")),
                ("404", "409"),
                organizer=True,
                description="下書き・予約中のお知らせだけ（送信後は 409）。status は作成と同じ。",
                parameters=[_id("announcement_id", "お知らせのID")],
                body="AnnouncementInput",
                example=ANNOUNCEMENT_EXAMPLE,
                operation_id="replaceAnnouncement",
            ),
            "get": _operation(
                "一斉配信と送信の進み具合",
                "announcements",
                ("200", _json("Announcement", "お知らせと progress")),
                ("404",),
                organizer=True,
                parameters=[_id("announcement_id", "お知らせのID")],
                operation_id="getAnnouncement",
            ),
        },
        "/api/v1/openapi.json": {
            "get": {
                "operationId": "getOpenApiDocument",
                "summary": "このOpenAPI文書",
                "tags": ["meta"],
                "security": [{}],
                "responses": {
                    "200": {
                        "description": "OpenAPI 3.1",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
    }
