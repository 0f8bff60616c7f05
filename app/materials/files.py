"""Uploaded files: the kinds we take, the checks on name and content, and where they are kept.

A file is copied to a temporary name inside MATERIALS_DIR while its size is counted, checked, and
renamed to a random name only when accepted, so a refused upload leaves nothing behind. The name
the organizer gave the file is kept for display and Content-Disposition, never used as a path.
"""

import os
import secrets
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.materials.errors import MaterialRefused
from app.materials.models import Material

FILENAME_MAX = 255
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


@dataclass(frozen=True)
class StoredFile:
    """An accepted upload, under its random name in MATERIALS_DIR."""

    filename: str  # the name to show and offer for download
    path: Path
    content_type: str
    size: int


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


def store_upload(filename: str, stream) -> StoredFile:
    """Check and keep an uploaded file, or raise MaterialRefused having stored nothing.

    `stream` is read in chunks; the file is accepted by its extension and by its content.
    """
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
    return StoredFile(name, target, file_type.content_type, size)
