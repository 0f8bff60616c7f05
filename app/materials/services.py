"""Materials (資料): files kept only after their name and content both pass, links, and the
personal download links mailed to an event's registrants and, at the organizer's choice, members.

A file is copied to a temporary name inside MATERIALS_DIR while its size is counted, checked, and
renamed to a random name only when accepted, so a refused upload leaves nothing behind. The name
the organizer gave the file is kept for display and Content-Disposition, never used as a path.

A download link is "<id>.<HMAC>" over the registration or member, with the material's id in the
purpose: it opens that one material for that one person, and it is checked in constant time.
"""

import logging
import os
import secrets
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import distinct, func, select

from app.errors import DomainError, EventNotFound
from app.events.models import Event
from app.extensions import db
from app.mail.compose import public_url
from app.mail.suppression import suppressed
from app.materials import notifications
from app.materials.models import Material, MaterialDownload
from app.members.models import Member, MemberStatus
from app.registrations.models import Registration, RegistrationStatus
from app.text import breaks_header
from app.tokens import find_signed, make_token

log = logging.getLogger(__name__)

DOWNLOAD_PURPOSE = "material-download"
# The <kind> part of a download URL: whose token it is.
REGISTRANT = "r"
MEMBER = "m"

# Who a materials mail goes to (the console's choice).
CONFIRMED = "confirmed"  # confirmed registrants (the default)
ATTENDED = "attended"  # confirmed registrants who were checked in on the day
WITH_MEMBERS = "with_members"  # confirmed registrants, plus every active member (bulk mail)
AUDIENCES = (CONFIRMED, ATTENDED, WITH_MEMBERS)

TITLE_MAX = 200
FILENAME_MAX = 255
URL_MAX = 500
CHUNK = 64 * 1024

ZIP_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class FileType:
    """An accepted kind of file: what it is called, its MIME type and how its content begins."""

    label: str
    content_type: str
    signature: bytes
    # Office Open XML: a ZIP package with [Content_Types].xml and its parts under this folder.
    package_folder: str | None = None


FILE_TYPES = {
    "pdf": FileType("PDF", "application/pdf", b"%PDF-"),
    "pptx": FileType(
        "PowerPoint",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ZIP_SIGNATURE,
        "ppt/",
    ),
    "ppt": FileType("PowerPoint", "application/vnd.ms-powerpoint", OLE_SIGNATURE),
    "xlsx": FileType(
        "Excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ZIP_SIGNATURE,
        "xl/",
    ),
    "xls": FileType("Excel", "application/vnd.ms-excel", OLE_SIGNATURE),
    "docx": FileType(
        "Word",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ZIP_SIGNATURE,
        "word/",
    ),
}
ALLOWED_TYPES = _l("PDF、PowerPoint（.pptx・.ppt）、Excel（.xlsx・.xls）、Word（.docx）")


class MaterialRefused(DomainError):
    """The file cannot be kept: no file, a type we do not take, content not matching, too large."""

    field = "file"


class InvalidLink(DomainError):
    message = _l("https:// で始まるURLを入力してください。")
    field = "url"


class MaterialNotFound(DomainError):
    message = _l("この資料は見つかりません。")


class DownloadLinkInvalid(DomainError):
    message = _l("このリンクは無効です。")


class NothingToSend(DomainError):
    field = "audience"


@dataclass(frozen=True)
class Recipient:
    """One person a materials mail goes to, and the registration or member behind them."""

    email: str
    name: str
    locale: str
    holder: Registration | Member


@dataclass(frozen=True)
class MailItem:
    """One material as a mail lists it: title, kind and size, the recipient's own link."""

    title: str
    kind: object  # str, or a lazy string translated when the mail is rendered
    url: str


# --- files and links -------------------------------------------------------------------------


def human_size(size: int) -> str:
    """1,234,567 bytes -> "1.2 MB" (units of 1,024, as Windows Explorer counts them)."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def kind_label(material: Material):
    """「PDF・1.2 MB」 for a file, 「リンク」 for a link (lazy: a mail translates it in the
    recipient's language)."""
    if material.is_link:
        return _l("リンク")
    file_type = FILE_TYPES.get(extension(material.filename))
    label = file_type.label if file_type else material.content_type
    return f"{label}・{human_size(material.size)}"


def clean_filename(raw: str) -> str:
    """The name to show and offer for download: the last path segment the browser sent, in NFC
    (macOS sends decomposed kana), without control or direction-override characters."""
    name = unicodedata.normalize("NFC", raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    if len(name) > FILENAME_MAX:
        stem, dot, ext = name.rpartition(".")
        name = stem[: FILENAME_MAX - len(ext) - 1] + dot + ext if dot else name[:FILENAME_MAX]
    return name


def extension(filename: str) -> str:
    stem, dot, ext = filename.rpartition(".")
    return ext.lower() if dot and stem else ""


# An upload is written to a hidden temporary file first, renamed once it is whole and checked.
UPLOAD_PREFIX, UPLOAD_SUFFIX = ".upload-", ".part"


def materials_dir() -> Path:
    path = Path(current_app.config["MATERIALS_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def stored_path(material: Material) -> Path:
    return materials_dir() / material.stored_name


def _receive(stream, directory: Path, limit: int) -> tuple[Path, int]:
    """Copy the upload to a temporary file in `directory`, refusing it once past `limit` bytes."""
    fd, temp_name = tempfile.mkstemp(prefix=UPLOAD_PREFIX, suffix=UPLOAD_SUFFIX, dir=directory)
    temp = Path(temp_name)
    size = 0
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise MaterialRefused(
                        _l(
                            "ファイルが大きすぎます。%(limit)s 以下のファイルを選んでください。",
                            limit=human_size(limit),
                        )
                    )
                out.write(chunk)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp, size


def delete_abandoned_uploads(older_than: datetime) -> int:
    """Remove the partial files of uploads begun before `older_than` that never finished (the
    process was killed mid-upload; a failed upload cleans up after itself). Returns how many."""
    directory = Path(current_app.config["MATERIALS_DIR"])
    if not directory.is_dir():
        return 0
    removed = 0
    for part in directory.glob(f"{UPLOAD_PREFIX}*{UPLOAD_SUFFIX}"):
        if part.stat().st_mtime < older_than.timestamp():
            part.unlink(missing_ok=True)
            removed += 1
    return removed


def _content_matches(path: Path, file_type: FileType) -> bool:
    """The file begins as its type does and, for an Office Open XML type, is such a package."""
    with path.open("rb") as f:
        if f.read(len(file_type.signature)) != file_type.signature:
            return False
    if file_type.package_folder is None:
        return True
    try:
        with zipfile.ZipFile(path) as package:
            names = package.namelist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        return False
    return "[Content_Types].xml" in names and any(
        name.startswith(file_type.package_folder) for name in names
    )


def _event(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None:
        raise EventNotFound()
    return event


def add_file(event_id: int, title: str, filename: str, stream) -> Material:
    """Keep an uploaded file for the event, or raise MaterialRefused having stored nothing.

    `stream` is read in chunks; the file is accepted by its extension and by its content.
    """
    event = _event(event_id)
    name = clean_filename(filename)
    if not name:
        raise MaterialRefused(_l("ファイルを選んでください。"))
    ext = extension(name)
    file_type = FILE_TYPES.get(ext)
    if file_type is None:
        raise MaterialRefused(
            _l(
                "「%(name)s」はアップロードできない種類のファイルです。アップロードできるのは %(types)s のファイルです。",
                name=name,
                types=ALLOWED_TYPES,
            )
        )
    directory = materials_dir()
    temp, size = _receive(stream, directory, current_app.config["MATERIALS_MAX_BYTES"])
    target = directory / f"{secrets.token_hex(16)}.{ext}"
    try:
        if size == 0:
            raise MaterialRefused(_l("ファイルが空です。中身のあるファイルを選んでください。"))
        if not _content_matches(temp, file_type):
            raise MaterialRefused(
                _l(
                    "「%(name)s」の中身は %(label)s のファイルではありません。アップロードできるのは %(types)s のファイルです。",
                    name=name,
                    label=file_type.label,
                    types=ALLOWED_TYPES,
                )
            )
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    material = Material(
        event_id=event.id,
        title=(title or "").strip()[:TITLE_MAX] or name.rpartition(".")[0][:TITLE_MAX],
        filename=name,
        stored_name=target.name,
        content_type=file_type.content_type,
        size=size,
    )
    db.session.add(material)
    try:
        db.session.flush()
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return material


def _check_url(url: str) -> str:
    url = (url or "").strip()
    if not url or len(url) > URL_MAX or breaks_header(url) or any(ch.isspace() for ch in url):
        raise InvalidLink()
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        raise InvalidLink() from None
    if parts.scheme.lower() != "https" or not host:
        raise InvalidLink()
    return url


def add_link(event_id: int, title: str, url: str) -> Material:
    """A link (a video, a page elsewhere) as a material of the event; only https URLs."""
    event = _event(event_id)
    title = (title or "").strip()
    if not title:
        raise DomainError(_l("タイトルを入力してください。"), field="link_title")
    material = Material(event_id=event.id, title=title[:TITLE_MAX], url=_check_url(url))
    db.session.add(material)
    db.session.flush()
    return material


def get_material(event_id: int, material_id: int) -> Material:
    material = db.session.get(Material, material_id)
    if material is None or material.event_id != event_id:
        raise MaterialNotFound()
    return material


def delete_material(event_id: int, material_id: int) -> Material:
    """Remove the material, its download log and its file."""
    material = get_material(event_id, material_id)
    stored_name = material.stored_name
    db.session.delete(material)
    db.session.flush()
    if stored_name:
        (materials_dir() / stored_name).unlink(missing_ok=True)
    return material


def event_materials(event_id: int) -> list[Material]:
    query = (
        select(Material)
        .where(Material.event_id == event_id)
        .order_by(Material.created_at, Material.id)
    )
    return list(db.session.scalars(query))


def download_counts(event_id: int) -> dict[int, tuple[int, int]]:
    """For each material of the event: (downloads, different people who downloaded)."""
    rows = db.session.execute(
        select(
            MaterialDownload.material_id,
            func.count(),
            func.count(distinct(MaterialDownload.registration_id)),
            func.count(distinct(MaterialDownload.member_id)),
        )
        .join(Material, Material.id == MaterialDownload.material_id)
        .where(Material.event_id == event_id)
        .group_by(MaterialDownload.material_id)
    ).all()
    return {material_id: (total, regs + members) for material_id, total, regs, members in rows}


# --- personal download links -----------------------------------------------------------------


def _purpose(material_id: int) -> str:
    # The material's id is signed too: a link opens one material, not every other one by its id.
    return f"{DOWNLOAD_PURPOSE}:{material_id}"


def download_url(material: Material, holder: Registration | Member) -> str:
    """The link that opens `material` for this registrant or member (and logs it)."""
    if isinstance(holder, Registration):
        kind, nonce = REGISTRANT, holder.token_nonce
    else:
        kind, nonce = MEMBER, holder.list_nonce
    token = make_token(_purpose(material.id), holder.id, nonce)
    return public_url("materials.download", material_id=material.id, kind=kind, token=token)


def record_download(material_id: int, kind: str, token: str) -> Material:
    """Check the link and log the download; raises DownloadLinkInvalid for anyone else's token,
    another material's token, or a file that is gone."""
    material = db.session.get(Material, material_id)
    if material is None:
        raise DownloadLinkInvalid()
    download = MaterialDownload(material_id=material.id)
    if kind == REGISTRANT:
        registration = find_signed(Registration, token, _purpose(material.id), "token_nonce")
        if registration is None or registration.event_id != material.event_id:
            raise DownloadLinkInvalid()
        download.registration_id = registration.id
    elif kind == MEMBER:
        member = find_signed(Member, token, _purpose(material.id), "list_nonce")
        if member is None:
            raise DownloadLinkInvalid()
        download.member_id = member.id
    else:
        raise DownloadLinkInvalid()
    if not material.is_link and not stored_path(material).is_file():
        log.error("material %s: stored file %s is missing", material.id, material.stored_name)
        raise DownloadLinkInvalid()
    db.session.add(download)
    db.session.flush()
    return material


# --- mailing the materials -------------------------------------------------------------------


def recipients(event_id: int, audience: str) -> list[Recipient]:
    """Everyone the choice reaches now: once per address, minus addresses that bounced for good.

    A member who also signed up gets the registrant's copy (mail about their event, no
    unsubscribe link); unsubscribed members are not among the active ones.
    """
    if audience not in AUDIENCES:
        raise NothingToSend(_l("選択肢の中から選んでください。"))
    query = (
        select(Registration)
        .where(
            Registration.event_id == event_id,
            Registration.status == RegistrationStatus.CONFIRMED,
            Registration.anonymised_at.is_(None),
        )
        .order_by(Registration.id)
    )
    if audience == ATTENDED:
        query = query.where(Registration.checked_in_at.is_not(None))
    found = [Recipient(r.email, r.name, r.locale, r) for r in db.session.scalars(query)]
    if audience == WITH_MEMBERS:
        members = select(Member).where(Member.status == MemberStatus.ACTIVE).order_by(Member.id)
        found += [Recipient(m.email, m.name, m.locale, m) for m in db.session.scalars(members)]
    unique: dict[str, Recipient] = {}
    for recipient in found:
        unique.setdefault(recipient.email.lower(), recipient)
    skip = suppressed({r.email for r in unique.values()})
    return [r for r in unique.values() if r.email not in skip]


def audience_counts(event_id: int) -> dict[str, int]:
    return {audience: len(recipients(event_id, audience)) for audience in AUDIENCES}


def send_materials(event_id: int, audience: str, message: str = "") -> int:
    """Queue one mail per recipient listing every material of the event with their own links;
    returns how many were queued. Members' copies are bulk mail with their unsubscribe link."""
    event = _event(event_id)
    materials = event_materials(event.id)
    if not materials:
        raise NothingToSend(_l("送る資料がありません。先に資料を追加してください。"))
    people = recipients(event.id, audience)
    if not people:
        raise NothingToSend(_l("送信先に該当する方がいません。"))
    message = (message or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    queued = 0
    for person in people:
        items = [
            MailItem(material.title, kind_label(material), download_url(material, person.holder))
            for material in materials
        ]
        member = person.holder if isinstance(person.holder, Member) else None
        try:
            notifications.notify_materials_available(
                event, items, person.email, person.name, person.locale, message, member
            )
        except ValueError as error:
            # An address the outbox cannot take must not stop everyone else's copy.
            log.warning("materials of event %s: skipped %r: %s", event.id, person.email, error)
            continue
        queued += 1
    return queued
