"""What importing each row would do — 新規, 更新, 変更なし or エラー, with the reason and the fix —
worked out against the members already recorded, without writing anything. The preview shows
it; the import works it out again inside its own transaction and does exactly that."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from app.extensions import db
from app.formatting import local
from app.inputs import InvalidInput, parse
from app.mail.suppression import suppressed
from app.members.imports.columns import FIELDS
from app.members.imports.inputs import ImportRowInput
from app.members.imports.models import RowOutcome
from app.members.imports.reading import Table
from app.members.models import Member, MemberStatus
from app.organizations.matching import LOOKS_LIKE_GOVERNMENT, match_local_government
from app.organizations.services import Organization

# Existing members are looked up this many addresses at a time (bound parameters have limits).
CHUNK = 500
# The fields an import may change on an existing member, with the words the reasons use.
UPDATED_FIELDS = ("name", "organization_name", "organization_code", "department")


@dataclass(frozen=True)
class Existing:
    """What the import needs to know of a member already recorded (plain values: the worker
    commits its progress between chunks, and ORM rows would be reloaded after each)."""

    id: int
    status: str
    name: str
    organization_code: str | None
    organization_name: str
    department: str


@dataclass
class RowResult:
    row_number: int
    outcome: RowOutcome
    reason: str = ""
    data: ImportRowInput | None = None
    organization: Organization | None = None
    existing: Existing | None = None
    changes: dict = field(default_factory=dict)  # field -> (old, new), for 更新
    # The raw values, for the preview of a row that could not be read.
    email: str = ""
    name: str = ""
    organization_text: str = ""


def _values(table: Table, mapping: dict, number: int, cells: list) -> tuple[dict, list[str]]:
    """The row as the input model takes it, and the problems found before it (formulas)."""
    data, problems = {}, []
    for name, index in mapping.items():
        if index is None:
            continue
        value = cells[index]
        if value is None and (number, index + 1) in table.uncalculated:
            problems.append(
                _(
                    "「%(field)s」（%(cell)s）は数式で、計算された値が保存されていません。Excel で開いて保存し直すか、数式を値として貼り付けてください。",
                    field=FIELDS[name][0],
                    cell=f"{get_column_letter(index + 1)}{number}",
                )
            )
        if name in ("registered_on", "consent_on"):
            data[name] = value
        elif value is not None:
            data[name] = value.isoformat() if isinstance(value, date) else str(value)
    return data, problems


def _field_message(error) -> str:
    name = next((part for part in error.loc if isinstance(part, str)), None)
    if name in FIELDS:
        return _("「%(field)s」: %(message)s", field=FIELDS[name][0], message=error.message)
    return error.message


def _organization(text: str) -> tuple[Organization | None, str, str]:
    """(the organisation, an error, a note) for the name in the file."""
    match = match_local_government(text)
    if match.government is not None:
        return Organization(match.government.code, match.government.name), "", ""
    if match.ambiguous:
        names = "・".join(lg.name.replace(" ", "") for lg in match.candidates[:6])
        example = match.candidates[0].name.replace(" ", "")
        return (
            None,
            _(
                "「%(text)s」は %(names)s のどれか分かりません。都道府県名を付けてください（例: %(example)s）。",
                text=text,
                names=names,
                example=example,
            ),
            "",
        )
    cleaned = " ".join(text.split())
    if LOOKS_LIKE_GOVERNMENT.search(cleaned.replace(" ", "")):
        return (
            None,
            _(
                "「%(text)s」は全国地方公共団体コードの一覧に見つかりません。正式な名称で入力してください（例: 神奈川県横浜市）。",
                text=text,
            ),
            "",
        )
    return Organization(None, cleaned), "", _("一覧にない団体として、名称のまま登録します。")


def _existing(emails: list[str]) -> dict[str, Existing]:
    found = {}
    for start in range(0, len(emails), CHUNK):
        query = select(
            Member.email,
            Member.id,
            Member.status,
            Member.name,
            Member.organization_code,
            Member.organization_name,
            Member.department,
        ).where(Member.email.in_(emails[start : start + CHUNK]))
        for row in db.session.execute(query):
            found[row.email] = Existing(*row[1:])
    return found


def _suppressed(emails: list[str]) -> set[str]:
    found = set()
    for start in range(0, len(emails), CHUNK):
        found |= suppressed(set(emails[start : start + CHUNK]))
    return found


def _read_rows(table: Table, mapping: dict, today: date) -> Iterator[RowResult]:
    first_row: dict[str, int] = {}
    for number, cells in table.rows:
        data, problems = _values(table, mapping, number, cells)
        result = RowResult(
            number,
            RowOutcome.ERROR,
            email=str(data.get("email", ""))[:254],
            name=str(data.get("name", ""))[:100],
            organization_text=str(data.get("organization", ""))[:100],
        )
        try:
            row = parse(ImportRowInput, data)
        except InvalidInput as invalid:
            problems += [_field_message(error) for error in invalid.errors]
            row = None
        if row is not None:
            result.data, result.email, result.name = row, row.email, row.name
            organization, error, note = _organization(row.organization)
            if error:
                problems.append(error)
            result.organization, result.reason = organization, note
            if row.consent_on is not None and row.consent_on > today:
                problems.append(_("「同意日」が未来の日付です。同意を得た日を入力してください。"))
            if row.email in first_row:
                problems.append(
                    _(
                        "メールアドレス %(email)s は %(row)d 行目と重複しています。どちらかの行を削除してください。",
                        email=row.email,
                        row=first_row[row.email],
                    )
                )
            else:
                first_row[row.email] = number
        if problems:
            result.outcome, result.reason = RowOutcome.ERROR, " ".join(problems)
        else:
            result.outcome = RowOutcome.NEW  # until compared with the members recorded
        yield result


def _compare(result: RowResult, existing: Existing | None, blocked: bool) -> None:
    row, organization = result.data, result.organization
    result.existing = existing
    if existing is None:
        if blocked:
            result.outcome = RowOutcome.SAME
            result.reason = _(
                "このアドレスは配信できない宛先（送信エラー）として記録されているため、取り込みません。"
            )
            return
        result.outcome = RowOutcome.NEW
        if row.consented:
            record = _(
                "同意あり（%(day)s・%(method)s）。",
                day=f"{row.consent_on:%Y/%m/%d}",
                method=row.consent_method,
            )
        else:
            record = _("同意の記録がないため仮登録（お知らせは届きません）。")
        result.reason = record + (" " + result.reason if result.reason else "")
        return
    if existing.status == MemberStatus.UNSUBSCRIBED:
        result.outcome = RowOutcome.SAME
        result.reason = _(
            "配信停止済みの会員のため、変更しません（ご本人の配信停止が優先されます）。"
        )
        return
    proposed = {
        "name": row.name,
        "organization_name": organization.name,
        "organization_code": organization.code,
        "department": row.department or existing.department,
    }
    labels = {
        "name": FIELDS["name"][0],
        "organization_name": FIELDS["organization"][0],
        "organization_code": _("団体コード"),
        "department": FIELDS["department"][0],
    }
    result.changes = {
        name: (getattr(existing, name), value)
        for name, value in proposed.items()
        if getattr(existing, name) != value
    }
    if result.changes:
        result.outcome = RowOutcome.UPDATE
        result.reason = "、".join(
            f"{labels[name]}: {old or '—'} → {new or '—'}"
            for name, (old, new) in result.changes.items()
            if name != "organization_code"
        ) or _("団体コードを付けます。")
    else:
        result.outcome = RowOutcome.SAME
        result.reason = _("登録済みの内容と同じです。")
    if blocked:
        result.reason += " " + _("（配信できない宛先として記録されています）")


def analyse(
    table: Table,
    mapping: dict,
    now: datetime,
    progress: Callable[[int], None] | None = None,
) -> list[RowResult]:
    """Every row's result, in file order. `progress` is told how many rows are done, chunk by
    chunk."""
    results = list(_read_rows(table, mapping, local(now).date()))
    readable = [result for result in results if result.outcome != RowOutcome.ERROR]
    unreadable = len(results) - len(readable)
    for start in range(0, len(readable), CHUNK):
        chunk = readable[start : start + CHUNK]
        emails = [result.data.email for result in chunk]
        existing, blocked = _existing(emails), _suppressed(emails)
        for result in chunk:
            _compare(result, existing.get(result.data.email), result.data.email in blocked)
        if progress is not None:
            progress(unreadable + start + len(chunk))
    return results


def counts(results: list[RowResult]) -> dict[RowOutcome, int]:
    totals = dict.fromkeys(RowOutcome, 0)
    for result in results:
        totals[result.outcome] += 1
    return totals
