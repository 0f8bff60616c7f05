"""A secretariat's contact list of 1,000 rows as it really arrives: organisation names written
every usual way, full-width addresses, and a handful of mistakes at known rows; written as a real
.xlsx (openpyxl) and as real CSV bytes (Shift_JIS as Excel on Japanese Windows saves it)."""

import csv
import io
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook

from app.organizations.services import local_governments

HEADERS = [
    "自治体名",
    "所属",
    "氏名",
    "フリガナ",
    "メールアドレス",
    "電話",
    "登録日",
    "同意日",
    "同意方法",
]
# The CSV says the same with other usual words, so the guess is tested on both.
CSV_HEADERS = [
    "団体名",
    "部署",
    "お名前",
    "ふりがな",
    "E-mail",
    "電話番号",
    "登録日",
    "同意日",
    "同意方法",
]

EXISTING_ACTIVE = "kizon@city.example.lg.jp"  # recorded, department differs: 更新
EXISTING_SAME = "onaji@city.example.lg.jp"  # recorded exactly so: 変更なし
EXISTING_UNSUBSCRIBED = "teishi@city.example.lg.jp"  # unsubscribed: 変更なし, stays so
SUPPRESSED = "bounce@city.example.lg.jp"  # bounced for good: 変更なし, not created


@dataclass(frozen=True)
class Expected:
    outcome: str
    reason: str = ""  # a part of the reason the preview must show
    organization_code: str | None = None


def _plain_governments():
    """Municipalities whose bare name is unique, so every way of writing them must match."""
    counts = {}
    for lg in local_governments():
        if lg.municipality:
            counts[lg.municipality] = counts.get(lg.municipality, 0) + 1
    return [
        lg
        for lg in local_governments()
        if lg.municipality
        and counts[lg.municipality] == 1
        and not any(ch in lg.municipality for ch in "ヶケ嶋龍檜曽")
        and lg.municipality[-1] in "市町村"
    ]


def _variant(lg, n: int) -> str:
    prefecture_stem = lg.prefecture if lg.prefecture == "北海道" else lg.prefecture[:-1]
    return (
        lg.prefecture + lg.municipality,  # 北海道札幌市
        lg.municipality,  # 札幌市
        f"{lg.prefecture}\u3000{lg.municipality}",  # full-width space
        prefecture_stem + lg.municipality,  # 「県」 left off
        f" {lg.prefecture} {lg.municipality} ",
    )[n % 5]


# Rows (numbered as in Excel: the header is row 1) that carry a variant or a mistake.
SPECIAL = {
    10: ("龍ヶ崎市", {}, Expected("new", organization_code="082082")),
    11: ("茨城県鹿島市", {}, Expected("new", organization_code="082228")),  # 鹿嶋 in the list
    12: ("鹿島市", {}, Expected("new", organization_code="412074")),  # 佐賀県
    13: ("神奈川　横須賀", {}, Expected("new", organization_code="142018")),
    14: ("府中市", {}, Expected("error", "東京都府中市・広島県府中市")),
    15: (
        "東京都",
        {"email": "ｔａｒｏ１５＠ＣＩＴＹ．ＥＸＡＭＰＬＥ．ＬＧ．ＪＰ"},
        Expected("new", organization_code="130001"),
    ),
    16: (
        "鳥取県",
        {"email": "taro@@city"},
        Expected("error", "「メールアドレス」: メールアドレスの形式が正しくありません"),
    ),
    20: (
        "鳥取県",
        {"email": "user0017@city.example.lg.jp"},
        Expected("error", "17 行目と重複しています"),
    ),
    18: (
        "架空市",
        {},
        Expected("error", "「架空市」は全国地方公共団体コードの一覧に見つかりません"),
    ),
    19: ("鳥取県", {"name": ""}, Expected("error", "「氏名」: 氏名を入力してください。")),
    21: ("鳥取県", {"consent_method": ""}, Expected("error", "同意日があるときは同意方法")),
    22: (
        "鳥取県",
        {"consent_on": date(2027, 1, 5)},
        Expected("error", "「同意日」が未来の日付です"),
    ),
    23: ("総務省", {}, Expected("new", "一覧にない団体として", organization_code=None)),
    24: (
        "鳥取県",
        {"email": EXISTING_ACTIVE, "department": "新しい課"},
        Expected("update", "所属・部署: 旧の課 → 新しい課"),
    ),
    25: (
        "鳥取県",
        {"email": EXISTING_SAME, "department": "同じ課"},
        Expected("same", "登録済みの内容と同じです"),
    ),
    26: ("鳥取県", {"email": EXISTING_UNSUBSCRIBED}, Expected("same", "配信停止済みの会員のため")),
    27: ("鳥取県", {"email": SUPPRESSED}, Expected("same", "配信できない宛先")),
    28: (
        "鳥取県",
        {"consent_on": "2025年13月1日"},
        Expected("error", "「同意日」: 日付として読めません"),
    ),
    29: ("伊達市", {}, Expected("error", "北海道伊達市・福島県伊達市")),
}
ROWS = 1_000


def contacts() -> list[dict]:
    """The 1,000 contacts, as field -> value (the header order is HEADERS')."""
    governments = _plain_governments()
    people = []
    for n in range(ROWS):
        number = n + 2
        lg = governments[(n * 7) % len(governments)]
        consented = n % 2 == 0
        person = {
            "organization": _variant(lg, n),
            "department": "総務部デジタル推進課 DX推進係" if n % 3 else "",
            "name": f"自治 太郎{n:04d}",
            "kana": f"ジチ タロウ{n:04d}",
            "email": f"user{number:04d}@city.example.lg.jp",
            "phone": "０３－１２３４－５６７８",
            "registered_on": date(2025, 4, 1),
            "consent_on": date(2025, 4, 1 + n % 28) if consented else None,
            "consent_method": "参加申込書（紙）" if consented else "",
            "_code": lg.code,
        }
        if number in SPECIAL:
            organization, changes, _expected = SPECIAL[number]
            person["organization"] = organization
            person["consent_on"], person["consent_method"] = date(2025, 5, 1), "メールで返信"
            if number == 24:
                person["name"] = "既存 一郎"
            if number == 25:
                person["name"] = "同じ 花子"
            person.update(changes)
        people.append(person)
    return people


def expected() -> dict[int, Expected]:
    """What the preview must say of each row (the plain ones are 新規 with their code)."""
    result = {}
    for n, person in enumerate(contacts()):
        number = n + 2
        result[number] = (
            SPECIAL[number][2]
            if number in SPECIAL
            else Expected("new", organization_code=person["_code"])
        )
    return result


FIELD_ORDER = [
    "organization",
    "department",
    "name",
    "kana",
    "email",
    "phone",
    "registered_on",
    "consent_on",
    "consent_method",
]


def xlsx_bytes(people=None, headers=HEADERS) -> bytes:
    """A real workbook: dates as date cells, as Excel stores them."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "会員名簿"
    sheet.append(headers)
    for person in people if people is not None else contacts():
        sheet.append([person.get(name) or None for name in FIELD_ORDER])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return f"{value.year}/{value.month}/{value.day}"  # as Excel writes dates in a CSV
    return str(value)


def csv_bytes(people=None, encoding="cp932", headers=CSV_HEADERS) -> bytes:
    """The list saved by Excel on Japanese Windows as 「CSV（コンマ区切り）」: CP932, CRLF."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    for person in people if people is not None else contacts():
        writer.writerow([_text(person.get(name)) for name in FIELD_ORDER])
    return buffer.getvalue().encode(encoding)
