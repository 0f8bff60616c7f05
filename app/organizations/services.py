"""Look up local governments by name or 団体コード; other public bodies pass through as free text."""

import csv
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from markupsafe import Markup, escape

DATA_FILE = Path(__file__).with_name("local_governments.csv")


@dataclass(frozen=True)
class LocalGovernment:
    code: str
    prefecture: str
    municipality: str
    kana: str

    @property
    def name(self) -> str:
        """The name people write: 「北海道」, 「北海道 札幌市」."""
        return f"{self.prefecture} {self.municipality}" if self.municipality else self.prefecture


@dataclass(frozen=True)
class Organization:
    """What a form's organisation field resolves to: a local government, or free text."""

    code: str | None
    name: str


def _key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


@cache
def local_governments() -> tuple[LocalGovernment, ...]:
    with DATA_FILE.open(encoding="utf-8") as f:
        return tuple(
            LocalGovernment(
                code=row["code"],
                prefecture=row["prefecture"],
                municipality=row["municipality"],
                kana=row["municipality_kana"] or row["prefecture_kana"],
            )
            for row in csv.DictReader(f)
        )


@cache
def _index() -> dict[str, LocalGovernment]:
    index: dict[str, LocalGovernment] = {}
    municipality_counts: dict[str, int] = {}
    for lg in local_governments():
        index[_key(lg.name)] = lg
        index[lg.code] = lg
        if lg.municipality:
            municipality_counts[lg.municipality] = municipality_counts.get(lg.municipality, 0) + 1
    # A bare municipality name counts only where it is unique (府中市 is both in 東京都 and 広島県).
    for lg in local_governments():
        if lg.municipality and municipality_counts[lg.municipality] == 1:
            index.setdefault(_key(lg.municipality), lg)
    return index


def find_local_government(code_or_name: str) -> LocalGovernment | None:
    return _index().get(_key(code_or_name))


def resolve_organization(text: str) -> Organization:
    """Match typed text to the official list; anything else stays as the typed name, code-less."""
    cleaned = " ".join(unicodedata.normalize("NFKC", text).split())
    lg = find_local_government(cleaned)
    if lg is None:
        return Organization(code=None, name=cleaned)
    return Organization(code=lg.code, name=lg.name)


@cache
def datalist_html() -> Markup:
    """The <datalist> of every local government's name for the organisation field, rendered once
    per process: it is 1,788 options on every form page."""
    options = "".join(f'<option value="{escape(lg.name)}"></option>' for lg in local_governments())
    return Markup(f'<datalist id="local-governments">{options}</datalist>')
