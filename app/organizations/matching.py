"""Matching an organisation name as people write it in a spreadsheet (「横浜」「神奈川県　横浜市」
「龍ヶ崎市」「茨城県鹿島市」) to one local government of the official list, or saying why not.

A name is compared in tiers: as written (NFKC, spaces removed, ヶ and ケ alike), then with the
suffix 「都」「府」「県」「市」「町」「村」「区」 left off, then with old character forms (嶋, 﨑, 澤…)
read as the new ones. A tier that finds one government decides; one that finds several says the
name is ambiguous (府中市 is in 東京都 and 広島県); so 「鹿島市」 is 佐賀県鹿島市, while
「茨城県鹿島市」 finds 茨城県鹿嶋市 only once the old form is allowed for.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from app.organizations.services import LocalGovernment, local_governments

# Small ヶ (and ヵ, and a large ケ or カ written for it) read alike: 龍ケ崎 / 龍ヶ崎.
_KE = str.maketrans({"ヶ": "ケ", "ヵ": "ケ", "ｹ": "ケ"})
# Old forms (旧字体・異体字) people or their systems still write, read as the list's new forms.
_OLD_FORMS = str.maketrans(
    {
        "嶋": "島",
        "嶌": "島",
        "﨑": "崎",
        "嵜": "崎",
        "澤": "沢",
        "濱": "浜",
        "邊": "辺",
        "邉": "辺",
        "髙": "高",
        "廣": "広",
        "德": "徳",
        "龍": "竜",
        "檜": "桧",
        "曾": "曽",
        "淺": "浅",
        "團": "団",
        "關": "関",
        "國": "国",
        "縣": "県",
        "驛": "駅",
        "櫻": "桜",
        "萬": "万",
        "與": "与",
        "會": "会",
        "條": "条",
        "靜": "静",
        "榮": "栄",
    }
)
_PREFECTURE_SUFFIX = re.compile(r"(都|府|県)$")
_MUNICIPALITY_SUFFIX = re.compile(r"(市|町|村|区)$")
# A name that says it is a local government (so one we cannot find is a mistake, not a body
# outside the list such as 「○○広域連合」).
LOOKS_LIKE_GOVERNMENT = re.compile(r"(都|道|府|県|市|町|村|区)$")


@dataclass(frozen=True)
class Match:
    """What a name matched: one government, several (ambiguous), or none."""

    candidates: tuple[LocalGovernment, ...]

    @property
    def government(self) -> LocalGovernment | None:
        return self.candidates[0] if len(self.candidates) == 1 else None

    @property
    def ambiguous(self) -> bool:
        return len(self.candidates) > 1


def _key(text: str, old_forms: bool = False) -> str:
    key = "".join(unicodedata.normalize("NFKC", text).split()).translate(_KE)
    return key.translate(_OLD_FORMS) if old_forms else key


def _stem(name: str, suffix: re.Pattern) -> str:
    stem = suffix.sub("", name)
    return stem if stem else name


def _forms(lg: LocalGovernment) -> tuple[set[str], set[str]]:
    """The ways of writing `lg`: in full, and with suffixes left off."""
    prefecture, municipality = lg.prefecture, lg.municipality
    prefecture_stem = _stem(prefecture, _PREFECTURE_SUFFIX) if prefecture != "北海道" else "北海道"
    if not municipality:
        return {prefecture}, {prefecture_stem}
    municipality_stem = _stem(municipality, _MUNICIPALITY_SUFFIX)
    full = {prefecture + municipality, municipality}
    short = {
        prefecture_stem + municipality,
        prefecture + municipality_stem,
        prefecture_stem + municipality_stem,
        municipality_stem,
    }
    return full, short - full


@cache
def _tiers() -> tuple[dict[str, set[str]], ...]:
    """Four indexes (full, short, full with old forms, short with old forms): key → codes."""
    tiers = tuple({} for _ in range(4))
    for lg in local_governments():
        full, short = _forms(lg)
        for index, names, old in (
            (0, full, False),
            (1, short, False),
            (2, full, True),
            (3, short, True),
        ):
            for name in names:
                tiers[index].setdefault(_key(name, old), set()).add(lg.code)
    return tiers


@cache
def _by_code() -> dict[str, LocalGovernment]:
    return {lg.code: lg for lg in local_governments()}


def match_local_government(text: str) -> Match:
    """The government(s) `text` names: the first tier that knows the name decides."""
    by_code = _by_code()
    plain = _key(text)
    if plain in by_code:
        return Match((by_code[plain],))
    for index, tier in enumerate(_tiers()):
        codes = tier.get(_key(text, old_forms=index >= 2))
        if codes:
            return Match(tuple(by_code[code] for code in sorted(codes)))
    return Match(())
