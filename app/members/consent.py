"""The wording people agree to when they ask for notices, versioned so the record says which text."""

CURRENT_VERSION = "2026-11"

WORDING = {
    "2026-11": (
        "全国自治体リスキリングネットワーク事務局から、定期共有会・セミナー・情報交換会のご案内、"
        "資料のご案内などのお知らせをメールで受け取ることに同意します。"
        "配信はいつでも停止できます。"
    ),
}
