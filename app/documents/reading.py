"""五十音順: people ordered by the reading of their names (the furigana they typed).

The reading is normalised first (NFKC, so half-width katakana and full-width spaces become the
usual ones; katakana become hiragana; spaces and 「・」 dropped), then compared the way Japanese
dictionaries do: first without voicing marks and with small kana read as large ones (か = が,
つ = っ), then, between readings equal so far, with them (か before が). So がい comes before かう,
and かき before がく.

When the furigana is missing, a name written only in kana is its own reading. Other names cannot
be read by a program (山崎 is やまさき or やまざき), so they come after everyone with a reading,
in the order of their characters, and the reception staff finds them at the end of the list.
Readings in Latin letters (Smith) come after the kana ones, in alphabetical order.
"""

import unicodedata
from collections.abc import Iterable
from typing import Protocol, TypeVar

KATAKANA_TO_HIRAGANA = 0x60
SMALL_TO_LARGE = str.maketrans("ぁぃぅぇぉっゃゅょゎゕゖ", "あいうえおつやゆよわかけ")
VOICING_MARKS = {"\u3099", "\u309a"}
DROPPED = {" ", "・", "\u3000"}


class Named(Protocol):
    id: int
    name: str
    furigana: str


N = TypeVar("N", bound=Named)


def _is_kana(ch: str) -> bool:
    return "\u3041" <= ch <= "\u3096" or ch in "ーゝゞ"


def normalise_reading(text: str) -> str:
    """「ヤマダ　ﾀﾛｳ」 -> 「やまだたろう」: NFKC, hiragana, without spaces or 「・」."""
    folded = []
    for ch in unicodedata.normalize("NFKC", text or ""):
        if ch in DROPPED or ch.isspace():
            continue
        if "\u30a1" <= ch <= "\u30f6":
            ch = chr(ord(ch) - KATAKANA_TO_HIRAGANA)
        folded.append(ch)
    return "".join(folded)


def reading_of(person: Named) -> str:
    """The furigana, or the name itself when it is written only in kana; else ""."""
    reading = normalise_reading(person.furigana)
    if reading:
        return reading
    name = normalise_reading(person.name)
    return name if name and all(_is_kana(ch) for ch in name) else ""


def _primary(reading: str) -> str:
    """The reading without voicing marks, small kana as large: the dictionary's first comparison."""
    bare = "".join(ch for ch in unicodedata.normalize("NFD", reading) if ch not in VOICING_MARKS)
    return bare.translate(SMALL_TO_LARGE)


def reading_key(person: Named) -> tuple[int, str, str, str, int]:
    """Kana readings first (五十音順), then Latin ones (A–Z), then those without a reading."""
    reading = reading_of(person)
    name = unicodedata.normalize("NFKC", person.name or "")
    if not reading:
        return (2, "", "", name, person.id)
    if _is_kana(reading[0]):
        return (0, _primary(reading), reading, name, person.id)
    return (1, reading.casefold(), reading, name, person.id)


def by_reading(people: Iterable[N]) -> list[N]:
    return sorted(people, key=reading_key)
