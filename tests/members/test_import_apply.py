"""Confirming an import: the members are created with their consent records (when and how) or as
pending; only pending rows get the double opt-in mail, and only when asked; nobody without a
consent record receives bulk mail; unsubscribed addresses stay unsubscribed; the undo takes the
batch back; the audit log names who imported and who undid; `flask import-members` does the same."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.announcements.audience import resolve_audience
from app.announcements.inputs import MEMBERS
from app.audit.actor import Actor
from app.audit.models import AuditEntry
from app.extensions import db
from app.mail.outbox import OutboxMessage
from app.mail.suppression import SuppressedAddress
from app.members.imports import services
from app.members.imports.models import ImportStatus, MemberImportChange
from app.members.imports.notifications import CATEGORY
from app.members.models import Member, MemberStatus
from app.members.services import AWAITING_CONSENT, confirm_membership, confirm_token
from tests.conftest import NOW
from tests.factories import make_member
from tests.members import import_samples as samples

SMALL = samples.contacts()[:40]


@pytest.fixture
def organizer(make_organizer):
    return make_organizer()


@pytest.fixture
def recorded(app):
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


def imported(organizer, people=SMALL, invitations=False, content=None):
    actor = Actor.console(organizer)
    batch = services.start_import(content or samples.xlsx_bytes(people), "名簿.xlsx", actor, NOW)
    services.choose_columns(batch, batch.mapping, invitations, NOW)
    db.session.commit()
    services.confirm(batch, actor, NOW)
    db.session.commit()
    return batch


def member(email: str) -> Member | None:
    return db.session.scalar(select(Member).where(Member.email == email))


def test_confirming_creates_members_with_their_consent_records(recorded, organizer):
    batch = imported(organizer)
    assert batch.status == ImportStatus.IMPORTED
    assert batch.content is None
    consented = member("user0002@city.example.lg.jp")
    assert consented.status == MemberStatus.ACTIVE
    assert consented.consent_version == services.IMPORTED_CONSENT
    assert consented.consent_at == datetime(2025, 3, 31, 15, 0, tzinfo=UTC)  # 2025-04-01 JST
    assert services.imported_consent_method(consented) == "参加申込書（紙）"
    assert consented.organization_code == SMALL[0]["_code"]
    assert consented.department == ""
    pending = member("user0003@city.example.lg.jp")
    assert pending.status == MemberStatus.PENDING
    assert pending.consent_version == AWAITING_CONSENT
    assert services.imported_consent_method(pending) == ""
    assert pending.created_at == datetime(2025, 3, 31, 15, 0, tzinfo=UTC)  # 登録日
    # Rows in error were not imported; the existing member was updated, the rest left alone.
    assert member("taro@@city") is None
    assert member(samples.EXISTING_ACTIVE).department == "新しい課"
    assert member(samples.SUPPRESSED) is None
    assert (batch.created_count, batch.updated_count, batch.unchanged_count, batch.error_count) == (
        27,
        1,
        3,
        9,
    )
    assert db.session.scalar(select(func.count()).select_from(Member)) == 3 + 27
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "member_import.import"))
    assert entry.organizer_id == organizer.id
    assert entry.detail["created"] == 27 and entry.detail["file_name"] == "名簿.xlsx"


def test_no_mail_goes_out_unless_the_organizer_asks(recorded, organizer):
    imported(organizer)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_rows_without_consent_get_the_opt_in_mail_when_asked_and_only_they(app, organizer):
    batch = imported(organizer, invitations=True)
    mails = db.session.scalars(select(OutboxMessage)).all()
    pending = db.session.scalars(select(Member).where(Member.status == MemberStatus.PENDING)).all()
    assert pending and batch.invited_count == len(pending) == len(mails)
    assert {mail.to_addr for mail in mails} == {m.email for m in pending}
    assert all(mail.category == CATEGORY and mail.unsubscribe_url is None for mail in mails)
    first = next(m for m in pending if m.email == "user0003@city.example.lg.jp")
    text = next(mail.text_body for mail in mails if mail.to_addr == first.email)
    assert "https://reskilling.example.jp/join/confirm/" in text
    assert "「同意して参加を確定する」" in text
    # Following the link records the person's own consent, to the current wording.
    confirm_membership(confirm_token(first), NOW)
    db.session.commit()
    assert first.status == MemberStatus.ACTIVE and first.consent_version != AWAITING_CONSENT


def test_imported_members_without_consent_get_no_bulk_mail(recorded, organizer):
    imported(organizer)
    audience = {recipient.email for recipient in resolve_audience({"kind": MEMBERS})}
    assert "user0002@city.example.lg.jp" in audience  # consent on record
    assert "user0003@city.example.lg.jp" not in audience  # pending
    assert samples.EXISTING_UNSUBSCRIBED not in audience
    pending = db.session.scalars(select(Member.email).where(Member.status == MemberStatus.PENDING))
    assert not set(pending) & audience


def test_unsubscribed_addresses_stay_unsubscribed(recorded, organizer):
    before = member(samples.EXISTING_UNSUBSCRIBED)
    name = before.name
    imported(organizer, invitations=True)
    after = member(samples.EXISTING_UNSUBSCRIBED)
    assert after.status == MemberStatus.UNSUBSCRIBED and after.name == name
    assert not db.session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.to_addr.in_([samples.EXISTING_UNSUBSCRIBED, samples.SUPPRESSED]))
    )


def test_undo_removes_the_batch_and_restores_updated_members(recorded, make_organizer):
    importer, undoer = make_organizer(), make_organizer()
    batch = imported(importer, invitations=True)
    confirmed_since = member("user0003@city.example.lg.jp")
    confirm_membership(confirm_token(confirmed_since), NOW)
    db.session.commit()
    summary = services.undo(batch, Actor.console(undoer), NOW)
    db.session.commit()
    assert summary == {"removed": 26, "restored": 1, "kept": 1}
    assert member("user0002@city.example.lg.jp") is None
    # Someone who confirmed on their own since the import keeps their membership.
    assert member("user0003@city.example.lg.jp").status == MemberStatus.ACTIVE
    assert member(samples.EXISTING_ACTIVE).department == "旧の課"
    assert db.session.scalar(select(func.count()).select_from(Member)) == 4
    # Invitations not yet sent are withdrawn with the members they were for.
    assert {m.to_addr for m in db.session.scalars(select(OutboxMessage))} <= {
        "user0003@city.example.lg.jp"
    }
    assert batch.status == ImportStatus.UNDONE and batch.undone_by_id == undoer.id
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "member_import.undo"))
    assert entry.organizer_id == undoer.id and entry.detail["removed"] == 26
    with pytest.raises(services.ImportStateError):
        services.undo(batch, Actor.console(undoer), NOW)


def test_a_batch_is_imported_once(recorded, organizer):
    batch = imported(organizer)
    with pytest.raises(services.ImportStateError):
        services.confirm(batch, Actor.console(organizer), NOW)
    assert db.session.scalar(select(func.count()).select_from(MemberImportChange)) == 27 + 1


def test_the_cli_imports_a_file(runner, tmp_path, recorded, make_organizer):
    organizer = make_organizer()
    path = tmp_path / "名簿.csv"
    path.write_bytes(samples.csv_bytes(SMALL))
    dry = runner.invoke(args=["import-members", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "新規 27 / 更新 1 / 変更なし 3 / エラー 9 (dry run: nothing written)" in dry.output
    assert "14行目 エラー" in dry.output and "都道府県名を付けてください" in dry.output
    assert member("user0002@city.example.lg.jp") is None
    result = runner.invoke(args=["import-members", str(path), "--organizer", organizer.email])
    assert result.exit_code == 0, result.output
    assert member("user0002@city.example.lg.jp").status == MemberStatus.ACTIVE
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "member_import.import"))
    assert entry.organizer_id == organizer.id and entry.detail["via"] == "cli"


def test_the_cli_names_a_missing_sheet_and_a_bad_file(runner, tmp_path, app):
    path = tmp_path / "名簿.xlsx"
    path.write_bytes(samples.xlsx_bytes(SMALL[:3]))
    result = runner.invoke(args=["import-members", str(path), "--sheet", "Sheet9"])
    assert result.exit_code == 1
    assert (
        "シート「Sheet9」はこのブックにありません。次のシートから選んでください: 会員名簿"
        in result.output
    )
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    result = runner.invoke(args=["import-members", str(empty)])
    assert result.exit_code == 1 and "ファイルが空です" in result.output
