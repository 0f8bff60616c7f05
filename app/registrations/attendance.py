"""Attendance of an online session from the meeting tool's participant report (Zoom, Teams,
Webex): read the CSV, find its e-mail column, and check in the registrations whose address is in it.

Reports differ by tool, version and language, so columns are found by their header, not their
position: 「ユーザーのメール」 (Zoom), 「メール」 / "Email" (Teams), "Attendee Email" (Webex) and
so on. A report may hold several sections, each with its own header row; a Zoom report opens with
a summary of the meeting whose e-mail column is the host's, so sections headed by a meeting ID or
topic are skipped. Excel saves CSV as Shift_JIS (cp932) on Japanese Windows, the tools themselves
as UTF-8 (often with a BOM) or, for Teams, UTF-16 with tabs: all are read.
"""

import codecs
import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.audit.actor import Actor
from app.audit.services import record
from app.errors import DomainError
from app.events.lookup import lock_event
from app.extensions import db
from app.registrations.models import Registration, RegistrationStatus

# Header cells after _header_key(): the columns we look for.
NAME_HEADERS = {
    "名前",
    "氏名",
    "お名前",
    "表示名",
    "参加者名",
    "ユーザー名",
    "name",
    "fullname",
    "displayname",
    "username",
    "attendeename",
    "participantname",
}
EMAIL_HEADER_ENDINGS = ("mail", "mailaddress", "メール", "メールアドレス")
# A header with one of these starts a summary of the meeting (its e-mail is the host's).
SUMMARY_HEADERS = {"ミーティングid", "meetingid", "トピック", "topic", "ウェビナーid", "webinarid"}

EMAIL_SHAPE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class AttendanceFileInvalid(DomainError):
    message = _l("参加者リストの CSV ファイルを読み取れませんでした。")
    field = "file"


@dataclass(frozen=True)
class Participant:
    email: str
    name: str


@dataclass(frozen=True)
class ParticipantReport:
    participants: list[Participant]  # one per address, in the order of the file
    without_email: list[str]  # names on rows that carry no address (guests without sign-in)


@dataclass(frozen=True)
class AttendanceImport:
    """What an import did: who was checked in now or already, and who could not be matched."""

    checked_in: list[Registration]
    already: list[Registration]
    unmatched: list[Participant]
    without_email: list[str]

    @property
    def matched(self) -> int:
        return len(self.checked_in) + len(self.already)


def normalize_address(value: str) -> str:
    """The form's rule for e-mail: NFKC (full-width to ASCII), trimmed, lower case."""
    return unicodedata.normalize("NFKC", value).strip().lower()


def _header_key(cell: str) -> str:
    """「名前（元の名前）」 -> 「名前」, "E-mail Address" -> "emailaddress"."""
    text = unicodedata.normalize("NFKC", cell).strip().lower()
    text = re.sub(r"\(.*?\)", "", text)
    return re.sub(r"[\s_\-・:.]", "", text)


def _decode(data: bytes) -> str:
    encodings: tuple[str, ...]
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
        encodings = ("utf-8",)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)
    else:
        if b"\x00" in data:
            raise AttendanceFileInvalid(
                _l(
                    "CSV ファイルではないようです。会議ツールから出力した参加者リスト（CSV）を選んでください。"
                )
            )
        encodings = ("utf-8", "cp932")
    if not data.strip():
        raise AttendanceFileInvalid(_l("ファイルが空です。"))
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise AttendanceFileInvalid(
        _l(
            "ファイルの文字コードを読み取れませんでした。UTF-8 または Shift_JIS で保存した CSV"
            " ファイルを選んでください。"
        )
    )


def _rows(text: str) -> list[list[str]]:
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise AttendanceFileInvalid(
            _l("CSV として読み取れませんでした（%(error)s）。", error=str(error))
        ) from error


def read_report(data: bytes) -> ParticipantReport:
    """The participants of a report, or AttendanceFileInvalid saying what is wrong with it."""
    rows = _rows(_decode(data))
    email_column = name_column = None
    in_summary = False
    participants: dict[str, Participant] = {}
    without_email: list[str] = []
    for row in rows:
        keys = [_header_key(cell) for cell in row]
        email_columns = [i for i, key in enumerate(keys) if key.endswith(EMAIL_HEADER_ENDINGS)]
        addresses = [cell for cell in row if EMAIL_SHAPE.fullmatch(normalize_address(cell))]
        if email_columns and not addresses:
            email_column = email_columns[0]
            name_column = next((i for i, key in enumerate(keys) if key in NAME_HEADERS), None)
            in_summary = any(key in SUMMARY_HEADERS for key in keys)
            continue
        # Lines before the first header, a summary's rows, section titles, blank lines.
        if email_column is None or in_summary or len(row) <= email_column:
            continue
        address = normalize_address(row[email_column])
        name = row[name_column].strip() if name_column is not None else ""
        if EMAIL_SHAPE.fullmatch(address):
            participants.setdefault(address, Participant(address, name))
        elif name or address:
            without_email.append(name or row[email_column].strip())
    if email_column is None:
        raise AttendanceFileInvalid(
            _l(
                "メールアドレスの列が見つかりません。「メール」「ユーザーのメール」「Email」などの"
                "見出しがある参加者リストを選んでください（文字化けしている場合は文字コードを"
                "ご確認ください）。"
            )
        )
    return ParticipantReport(list(participants.values()), without_email)


def import_attendance(
    event_id: int, data: bytes, now: datetime, *, actor: Actor
) -> AttendanceImport:
    """Check in everyone in the report whose address matches a registration of the event that
    is not cancelled; the rest are reported, not guessed at."""
    event = lock_event(event_id)
    report = read_report(data)
    registrations = {
        normalize_address(registration.email): registration
        for registration in db.session.scalars(
            select(Registration).where(
                Registration.event_id == event.id,
                Registration.status != RegistrationStatus.CANCELLED,
            )
        )
    }
    checked_in, already, unmatched = [], [], []
    for participant in report.participants:
        registration = registrations.get(participant.email)
        if registration is None:
            unmatched.append(participant)
        elif registration.checked_in_at is not None:
            already.append(registration)
        else:
            registration.checked_in_at = now
            checked_in.append(registration)
    db.session.flush()
    record(
        actor,
        "event.attendance_import",
        f"event:{event_id}",
        checked_in=len(checked_in),
        already=len(already),
        unmatched=len(unmatched),
    )
    return AttendanceImport(checked_in, already, unmatched, report.without_email)
