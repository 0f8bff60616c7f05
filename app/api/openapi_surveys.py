"""The survey operations of the OpenAPI document: an event's survey definition (GET, PUT) and
its results (GET); the schemas are generated from app/api/survey_resources.py."""

from typing import Any

from app.api.openapi_operations import _id, _json, _operation

SURVEY_EXAMPLE = {
    "anonymous": False,
    "send_after_minutes": 60,
    "reminder_after_days": 3,
    "closes_at": "2026-09-30T17:00:00+09:00",
    "questions": [
        {"label": "本日のイベントの満足度", "type": "rating", "required": True},
        {"label": "参考になった部", "type": "multiple_choice", "choices": ["第一部", "第二部"]},
        {"label": "ご意見・ご感想", "type": "comment"},
    ],
}


def survey_paths() -> dict[str, Any]:
    event_id = _id("event_id", "イベントのID")
    return {
        "/api/v1/events/{event_id}/survey": {
            "get": _operation(
                "アンケートを取得",
                "surveys",
                ("200", _json("Survey", "イベントのアンケート")),
                ("404",),
                organizer=True,
                description="アンケートのないイベントは 404。",
                parameters=[event_id],
                operation_id="getSurvey",
            ),
            "put": _operation(
                "アンケートを作成・置き換え",
                "surveys",
                ("200", _json("Survey", "保存したアンケート")),
                ("404",),
                organizer=True,
                description="コンソールのアンケート作成と同じ項目とルール。質問の形式は申込フォームと同じ4つに "
                "rating（1〜5の評価）と comment（自由記述）を加えたもの。残す質問は id 付きで送ると、"
                "それまでの回答が引き継がれます。回答があるアンケートの anonymous は変更できません。"
                "依頼メールはイベント終了の send_after_minutes 分後に、参加確定の方"
                "（受付を記録したイベントでは受付済みの方）へ1回だけ送られます。",
                parameters=[event_id],
                body="SurveyInput",
                example=SURVEY_EXAMPLE,
                operation_id="putSurvey",
            ),
        },
        "/api/v1/events/{event_id}/survey/results": {
            "get": _operation(
                "アンケートの結果",
                "surveys",
                ("200", _json("SurveyResults", "回答率と質問ごとの集計")),
                ("404",),
                organizer=True,
                description="記名のアンケートでは自由記述に回答者の氏名・所属が付き、取得は操作履歴に残ります。",
                parameters=[event_id],
                operation_id="getSurveyResults",
            ),
        },
    }
