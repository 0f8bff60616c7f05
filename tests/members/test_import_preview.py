"""The preview of a contact list: 1,000 rows from a real .xlsx and the same rows as a Shift_JIS
CSV give the same result for every row — organisation names matched the usual ways, ambiguous
and unknown names, bad and duplicated addresses, existing, unsubscribed and bounced addresses —
and nothing is written to the members before the confirmation."""

import pytest
from sqlalchemy import func, select

from app.audit.actor import Actor
from app.extensions import db
from app.mail.suppression import SuppressedAddress
from app.members.imports import services
from app.members.imports.columns import InvalidMapping
from app.members.imports.models import ImportStatus, MemberImportRow
from app.members.models import Member, MemberStatus
from tests.conftest import NOW
from tests.factories import make_member
from tests.members import import_samples as samples

CLI = Actor("cli")


@pytest.fixture
def recorded(app):
    """The members and the bounced address the sample list meets."""
    make_member(
        organization="鳥取県", name="既存 一郎", email=samples.EXISTING_ACTIVE, department="旧の課"
    )
    make_member(
        organization="鳥取県", name="同じ 花子", email=samples.EXISTING_SAME, department="同じ課"
    )
    make_member(
        organization="鳥取県", email=samples.EXISTING_UNSUBSCRIBED, status=MemberStatus.UNSUBSCRIBED
    )
    db.session.add(SuppressedAddress(email=samples.SUPPRESSED, reason="550 no such user"))
    db.session.commit()


def previewed(content: bytes, file_name: str):
    batch = services.start_import(content, file_name, CLI, NOW)
    services.choose_columns(batch, batch.mapping, False, NOW)
    db.session.commit()
    rows = db.session.scalars(
        select(MemberImportRow).where(MemberImportRow.import_id == batch.id)
    ).all()
    return batch, {row.row_number: row for row in rows}


def assert_the_sample_preview(batch, rows):
    assert batch.status == ImportStatus.PREVIEWED
    assert batch.row_count == samples.ROWS
    assert (
        batch.created_count,
        batch.updated_count,
        batch.unchanged_count,
        batch.error_count,
    ) == (987, 1, 3, 9)
    expected = samples.expected()
    assert set(rows) == set(expected)
    for number, want in expected.items():
        row = rows[number]
        assert row.outcome == want.outcome, (number, row.reason)
        assert want.reason in row.reason, (number, row.reason)


@pytest.mark.parametrize(
    "content, file_name",
    [
        (samples.xlsx_bytes, "会員名簿.xlsx"),
        (samples.csv_bytes, "会員名簿.csv"),
    ],
    ids=["xlsx", "shift_jis_csv"],
)
def test_the_preview_gives_every_row_its_result_and_reason(recorded, content, file_name):
    batch, rows = previewed(content(), file_name)
    assert_the_sample_preview(batch, rows)
    # Organisation names written the usual ways all find their government.
    assert rows[10].organization == "茨城県 龍ケ崎市"
    assert rows[11].organization == "茨城県 鹿嶋市"
    assert rows[12].organization == "佐賀県 鹿島市"
    assert rows[13].organization == "神奈川県 横須賀市"
    assert rows[15].email == "taro15@city.example.lg.jp"
    assert "都道府県名を付けてください（例: 東京都府中市）" in rows[14].reason
    assert "同意あり（2025/05/01・メールで返信）" in rows[10].reason
    assert "同意の記録がないため仮登録" in rows[3].reason
    # Nothing is written before the confirmation.
    assert db.session.scalar(select(func.count()).select_from(Member)) == 3


def test_the_columns_are_guessed_from_japanese_and_english_headers(app):
    batch = services.start_import(samples.csv_bytes(), "a.csv", CLI, NOW)
    assert batch.mapping == {
        "organization": 0,
        "department": 1,
        "name": 2,
        "kana": 3,
        "email": 4,
        "phone": 5,
        "registered_on": 6,
        "consent_on": 7,
        "consent_method": 8,
    }
    english = samples.csv_bytes(
        samples.contacts()[:3],
        encoding="utf-8",
        headers=[
            "Organization",
            "Department",
            "Name",
            "Furigana",
            "E-mail",
            "Tel",
            "Registered",
            "Consent date",
            "Consent method",
        ],
    )
    assert services.start_import(english, "b.csv", CLI, NOW).mapping == batch.mapping


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932", "utf-16"])
def test_every_encoding_excel_writes_reads_the_same(app, encoding):
    people = samples.contacts()[:30]
    content = samples.csv_bytes(people, encoding=encoding)
    if encoding == "utf-16":  # Excel's 「Unicode テキスト」 is tab-separated
        content = content.decode("utf-16").replace(",", "\t").encode("utf-16")
    batch, rows = previewed(content, "list.csv")
    assert rows[2].name == "自治 太郎0000"
    assert rows[10].organization == "茨城県 龍ケ崎市"
    assert batch.row_count == 30


def test_the_preview_can_be_redone_with_other_columns_without_writing(app):
    batch, rows = previewed(samples.xlsx_bytes(samples.contacts()[:5]), "a.xlsx")
    mapping = dict(batch.mapping, name=None)
    with pytest.raises(InvalidMapping) as refused:
        services.choose_columns(batch, mapping, False, NOW)
    assert "「氏名」の列を選んでください" in str(refused.value.message)
    twice = dict(batch.mapping, kana=batch.mapping["name"])
    with pytest.raises(InvalidMapping) as refused:
        services.choose_columns(batch, twice, False, NOW)
    assert "列「氏名」が「氏名」と「ふりがな」の両方に選ばれています" in str(refused.value.message)
