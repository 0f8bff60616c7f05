"""The placeholders (差し込み項目) of an announcement: one table, read by the input check, the
renderer and the console's insert buttons. Each has the spelling the secretariat reads
(「{氏名}」) and the English token kept from before (「{name}」), which the English console
offers; both are accepted everywhere, whatever the language of the screen."""

import re
from dataclasses import dataclass

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

PERSON = "person"
EVENT = "event"
REGISTRATION = "registration"


@dataclass(frozen=True)
class Placeholder:
    key: str  # the English token and the key of the rendered values
    japanese: str  # what the console inserts and lists
    label: LazyString  # what the insert button says
    group: str  # who can fill it: every recipient, an audience with an event, registrants

    @property
    def token(self) -> str:
        """The spelling the console offers: 「{氏名}」 in Japanese, 「{name}」 in English."""
        japanese = str(get_locale() or "ja").startswith("ja")
        return "{" + (self.japanese if japanese else self.key) + "}"


PLACEHOLDERS = (
    Placeholder("name", "氏名", _l("氏名"), PERSON),
    Placeholder("organization", "自治体名", _l("自治体名（所属）"), PERSON),
    Placeholder("event_title", "イベント名", _l("イベント名"), EVENT),
    Placeholder("event_date", "開催日時", _l("開催日時"), EVENT),
    Placeholder("manage_url", "申込確認URL", _l("申込内容の確認URL"), REGISTRATION),
    Placeholder("join_url", "参加URL", _l("参加用URL"), REGISTRATION),
)
BY_SPELLING = {spelling: p for p in PLACEHOLDERS for spelling in (p.key, p.japanese)}
NAME = BY_SPELLING["name"]
# What gets replaced when rendering: exactly one of the spellings above in braces.
RENDERED = re.compile(
    r"\{(" + "|".join(re.escape(s) for s in sorted(BY_SPELLING, key=len, reverse=True)) + r")\}"
)
# The first line of a body that greets by name itself ({氏名} 様): then the mail adds no greeting.
GREETING = re.compile(r"\A\s*[^\n]*\{(?:name|氏名)\}")


def keys_for(groups: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(p.key for p in PLACEHOLDERS if p.group in groups)


def is_allowed(spelling: str, keys: tuple[str, ...]) -> bool:
    placeholder = BY_SPELLING.get(spelling)
    return placeholder is not None and placeholder.key in keys


def tokens(keys: tuple[str, ...]) -> list[str]:
    """The tokens the secretariat reads for `keys`: 「{氏名}」… (in English, 「{name}」…)"""
    return [p.token for p in PLACEHOLDERS if p.key in keys]


def greets_by_name(body: str) -> bool:
    """Whether the body's first line already names the recipient."""
    return bool(GREETING.match(body))
