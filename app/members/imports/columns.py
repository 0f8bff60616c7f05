"""The fields a contact list can fill, and which of the file's columns holds each: guessed from
Japanese and English headers (自治体名, 所属, 氏名, フリガナ, E-mail, 同意日…), then confirmed or
corrected by the organizer on the mapping page."""

import re
import unicodedata

from flask_babel import lazy_gettext as _l

from app.errors import DomainError

# field -> (label, required)
FIELDS = {
    "organization": (_l("自治体名・団体名"), True),
    "department": (_l("所属・部署"), False),
    "name": (_l("氏名"), True),
    "kana": (_l("ふりがな"), False),
    "email": (_l("メールアドレス"), True),
    "phone": (_l("電話番号"), False),
    "registered_on": (_l("登録日"), False),
    "consent_on": (_l("同意日"), False),
    "consent_method": (_l("同意方法"), False),
}

# Header words for each field, compared after NFKC, lower case, and without spaces and marks.
_SYNONYMS = {
    "organization": (
        "自治体名",
        "自治体",
        "団体名",
        "団体",
        "所属団体",
        "所属自治体",
        "市区町村",
        "市町村",
        "市区町村名",
        "組織名",
        "組織",
        "organization",
        "organisation",
        "municipality",
        "org",
    ),
    "department": (
        "所属",
        "部署",
        "部署名",
        "所属部署",
        "部課",
        "課",
        "所属課",
        "担当課",
        "所属名",
        "department",
        "division",
        "section",
    ),
    "name": ("氏名", "名前", "お名前", "担当者", "担当者名", "担当者氏名", "name", "fullname"),
    "kana": (
        "ふりがな",
        "フリガナ",
        "よみがな",
        "ヨミガナ",
        "氏名かな",
        "氏名カナ",
        "かな",
        "カナ",
        "kana",
        "furigana",
        "reading",
    ),
    "email": (
        "メールアドレス",
        "メール",
        "mail",
        "email",
        "emailaddress",
        "mailaddress",
        "電子メール",
        "電子メールアドレス",
        "eメール",
        "アドレス",
    ),
    "phone": ("電話", "電話番号", "tel", "telephone", "phone", "連絡先電話番号", "内線"),
    "registered_on": (
        "登録日",
        "登録年月日",
        "入会日",
        "申込日",
        "registered",
        "registeredon",
        "joined",
    ),
    "consent_on": (
        "同意日",
        "同意年月日",
        "同意日時",
        "配信同意日",
        "consentdate",
        "consentedon",
        "consent",
        "optin",
        "optindate",
    ),
    "consent_method": (
        "同意方法",
        "同意の方法",
        "同意経路",
        "取得方法",
        "同意取得方法",
        "consentmethod",
        "consentsource",
        "source",
        "method",
    ),
}
_MARKS = re.compile(r"[\s\-_.:：・()（）\[\]【】/／]+")


class InvalidMapping(DomainError):
    field = "mapping"


def _word(header: str) -> str:
    return _MARKS.sub("", unicodedata.normalize("NFKC", header).lower())


def guess_mapping(headers: list[str]) -> dict[str, int | None]:
    """Each field's column index, by its header; a column serves one field at most."""
    words = [_word(header) for header in headers]
    mapping: dict[str, int | None] = {}
    taken: set[int] = set()
    # Exact words first (「所属」 is the department, 「所属団体」 the organisation), then prefixes.
    for exact in (True, False):
        for name, synonyms in _SYNONYMS.items():
            if mapping.get(name) is not None:
                continue
            for index, word in enumerate(words):
                if index in taken or not word:
                    continue
                if any(word == s if exact else word.startswith(s) for s in map(_word, synonyms)):
                    mapping[name] = index
                    taken.add(index)
                    break
    return {name: mapping.get(name) for name in FIELDS}


def check_mapping(mapping: dict[str, int | None], headers: list[str]) -> dict[str, int | None]:
    """The organizer's mapping, refused when a required field has no column or a column serves
    two fields (the message names them)."""
    checked = {}
    for name in FIELDS:
        index = mapping.get(name)
        if index is not None and not 0 <= index < len(headers):
            index = None
        checked[name] = index
    missing = [
        str(FIELDS[name][0])
        for name, (_, required) in FIELDS.items()
        if required and checked[name] is None
    ]
    if missing:
        raise InvalidMapping(
            _l("「%(fields)s」の列を選んでください（必須です）。", fields="」「".join(missing))
        )
    used: dict[int, str] = {}
    for name, index in checked.items():
        if index is None:
            continue
        if index in used:
            raise InvalidMapping(
                _l(
                    "列「%(column)s」が「%(first)s」と「%(second)s」の両方に選ばれています。1 つの列は 1 つの項目にだけ選んでください。",
                    column=headers[index],
                    first=FIELDS[used[index]][0],
                    second=FIELDS[name][0],
                )
            )
        used[index] = name
    return checked
