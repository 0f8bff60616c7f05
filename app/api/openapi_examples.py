"""The request examples of the OpenAPI document, one per body an organizer sends most."""

EVENT_EXAMPLE = {
    "title": "セミナー＆情報交換会",
    "kind": "exchange_session",
    "starts_at": "2026-09-15T14:00:00+09:00",
    "ends_at": "2026-09-15T17:00:00+09:00",
    "format": "online",
    "meeting_url": "https://meet.example.jp/abc",
    "capacity": 100,
    "parts": [
        {"title": "第一部 基調講演"},
        {"title": "第二部 情報交換会", "uses_tables": True},
    ],
    "tables": [
        {"title": "企業・市民向け事業", "capacity": 20},
        {"title": "庁内職員向け事業", "capacity": 20},
    ],
    "reminder_offsets_minutes": [1440, 60],
}
REGISTRATION_EXAMPLE = {
    "name": "山田 太郎",
    "furigana": "やまだ たろう",
    "email": "taro@city.example.lg.jp",
    "organization": "鳥取県",
    "department": "総務部デジタル推進課",
    "privacy": True,
}
MEMBER_EXAMPLE = {
    "name": "山田 太郎",
    "email": "taro@city.example.lg.jp",
    "organization": "鳥取県",
    "theme_interests": ["staff"],
    "consent": True,
    "privacy": True,
}
ANNOUNCEMENT_EXAMPLE = {
    "subject": "{event_title} のご案内",
    "body": "{event_date} に開催します。",
    "audience": {"kind": "event_registrants", "event_id": 1},
    "send_at": "2026-09-01T10:00:00+09:00",
    "status": "scheduled",
}
