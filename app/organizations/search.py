"""Finding local governments as people type them: by name or by reading, in ひらがな, カタカナ or
漢字 (「ひろしま」「ヒロシマ」「広島」 all find 広島県 and 広島市), for the picker's type-ahead; and
checking a typed organisation once it is sent, so that a reading or an ambiguous name is answered
with the candidates instead of being stored as a free-text body."""

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from flask_babel import gettext as _

from app.organizations.matching import match_local_government
from app.organizations.services import LocalGovernment, local_governments

SEARCH_LIMIT = 10
QUERY_MAX = 50
_KANA_ONLY = re.compile(r"^[\u30a0-\u30ffー]+$")
# ひらがな (ぁ..ゖ) and their カタカナ (ァ..ヶ) are 0x60 apart.
_HIRAGANA_TO_KATAKANA = {code: code + 0x60 for code in range(0x3041, 0x3097)}
_SMALL_KE = str.maketrans({"ヶ": "ケ", "ヵ": "ケ"})


def fold(text: str) -> str:
    """Text as searched: NFKC (half-width kana become full-width), no spaces, ひらがな as カタカナ."""
    plain = "".join(unicodedata.normalize("NFKC", text).split())
    return plain.translate(_HIRAGANA_TO_KATAKANA).translate(_SMALL_KE)


@dataclass(frozen=True)
class _Entry:
    government: LocalGovernment
    near: tuple[str, ...]
    """Keys a query may begin with to rank first: the entry's own name and reading."""
    far: tuple[str, ...]
    """Keys a query may begin with to rank next: the name and reading with the prefecture."""


@cache
def _entries() -> tuple[_Entry, ...]:
    prefecture_kana = {lg.prefecture: lg.kana for lg in local_governments() if not lg.municipality}
    entries = []
    for lg in local_governments():
        own_name = lg.municipality or lg.prefecture
        near = (fold(own_name), fold(lg.kana))
        far = (
            fold(lg.prefecture + lg.municipality),
            fold(prefecture_kana[lg.prefecture] + lg.kana),
        )
        entries.append(_Entry(lg, near, far if lg.municipality else ()))
    return tuple(entries)


def search(query: str, limit: int = SEARCH_LIMIT) -> list[LocalGovernment]:
    """Up to `limit` governments whose name or reading begins with (or, failing that, contains)
    what was typed: a government's own name first, then names with the prefecture, prefectures
    before municipalities, then by 団体コード."""
    return [lg for _rank, lg in _ranked(query)[:limit]]


def _ranked(query: str) -> list[tuple[int, LocalGovernment]]:
    key = fold(query[:QUERY_MAX])
    if not key:
        return []
    ranked = []
    for entry in _entries():
        if any(name.startswith(key) for name in entry.near):
            rank = 0
        elif any(name.startswith(key) for name in entry.far):
            rank = 1
        elif any(key in name for name in entry.near + entry.far):
            rank = 2
        else:
            continue
        lg = entry.government
        ranked.append((rank, bool(lg.municipality), lg.code, lg))
    ranked.sort(key=lambda item: item[:3])
    return [(item[0], item[3]) for item in ranked]


class OrganizationUnclear(ValueError):
    """A typed organisation that names no single government but looks like it means one."""

    def __init__(self, message: str, candidates: list[LocalGovernment]):
        super().__init__(message)
        self.message = message
        self.candidates = candidates


def _candidates_message(typed: str, candidates: list[LocalGovernment]) -> str:
    names = "、".join(lg.name for lg in candidates)
    if len(candidates) == 1:
        return str(
            _(
                "「%(typed)s」は「%(name)s」のことでしたら、その名前で入力してください。",
                typed=typed,
                name=names,
            )
        )
    return str(
        _(
            "「%(typed)s」に当てはまる自治体が複数あります。次のいずれかの名前で入力してください: %(names)s",
            typed=typed,
            names=names,
        )
    )


def checked_organization(typed: str) -> str:
    """The organisation to store for `typed`: a government's official name when `typed` names one
    (「東京都江戸川区」 → 「東京都 江戸川区」, a reading such as 「とっとりけん」 → 「鳥取県」), or the
    text as typed for a body outside the list. Raises OrganizationUnclear with the candidates when
    it names several governments, or is a reading that begins several."""
    match = match_local_government(typed)
    if match.government is not None:
        return match.government.name
    if match.ambiguous:
        raise OrganizationUnclear(
            _candidates_message(typed, list(match.candidates)), list(match.candidates)
        )
    key = fold(typed)
    if not _KANA_ONLY.match(key):
        return typed  # another public body, written as its own name
    exact = [entry.government for entry in _entries() if key in entry.near[1:] + entry.far[1:]]
    if len(exact) == 1:
        return exact[0].name
    ranked = _ranked(typed)
    candidates = exact or [lg for rank, lg in ranked if rank == 0] or [lg for _r, lg in ranked]
    if not candidates:
        return typed
    candidates = candidates[:SEARCH_LIMIT]
    raise OrganizationUnclear(_candidates_message(typed, candidates), candidates)
