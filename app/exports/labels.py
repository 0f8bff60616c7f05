"""The column names of the registrant list: one home for each label, read by the console's
table (templates/admin/registrants/list.html, as `registrant_labels`) and by the CSV/.xlsx
downloads, so a download's header reads as the screen does."""

from flask_babel import lazy_gettext as _l

NUMBER = _l("申込番号")
STATUS = _l("状態")
NAME = _l("氏名")
READING = _l("ふりがな")
EMAIL = _l("メール")
ORGANIZATION = _l("所属（自治体・団体）")
DEPARTMENT = _l("部署")
POSITION = _l("役職")
PARTS = _l("参加パート")
TABLE = _l("テーマテーブル")
CHECKED_IN = _l("受付（出席）")
ATTENDED = _l("出席")
CHECKED_IN_AT = _l("受付日時")
REGISTERED_AT = _l("申込日時")

REGISTRANT_LABELS = {
    "number": NUMBER,
    "status": STATUS,
    "name": NAME,
    "reading": READING,
    "email": EMAIL,
    "organization": ORGANIZATION,
    "department": DEPARTMENT,
    "position": POSITION,
    "parts": PARTS,
    "table": TABLE,
    "checked_in": CHECKED_IN,
    "registered_at": REGISTERED_AT,
}
