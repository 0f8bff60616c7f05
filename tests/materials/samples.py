"""Sample files for upload tests (real PDF, Office Open XML and OLE headers) and
helpers to read the outbox and the materials folder."""

import email
import io
import zipfile
from email import policy
from pathlib import Path

from sqlalchemy import func, select

from app.extensions import db
from app.mail.dkim import message_bytes
from app.mail.outbox import OutboxMessage
from app.materials.models import Material, MaterialDownload

# Small enough that a test can go past it without big buffers.
MAX_BYTES = 4096

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PACKAGE_FOLDERS = {
    "pptx": "ppt/presentation.xml",
    "xlsx": "xl/workbook.xml",
    "docx": "word/document.xml",
}


def overrides(tmp_path: Path) -> dict:
    return {"MATERIALS_DIR": str(tmp_path / "materials"), "MATERIALS_MAX_BYTES": MAX_BYTES}


def pdf(size: int = 300) -> bytes:
    head, tail = b"%PDF-1.7\n", b"\n%%EOF\n"
    return head + b"%" * max(size - len(head) - len(tail), 0) + tail


def package(ext: str, with_content_types: bool = True) -> bytes:
    """An Office Open XML file as Office writes it: a ZIP with [Content_Types].xml and its parts."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if with_content_types:
            archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr(PACKAGE_FOLDERS[ext], "<x/>")
    return buffer.getvalue()


def ole(size: int = 1024) -> bytes:
    """A legacy .ppt/.xls (compound file) header."""
    return OLE_SIGNATURE + b"\0" * (size - len(OLE_SIGNATURE))


SAMPLES = {
    "pdf": pdf,
    "pptx": lambda: package("pptx"),
    "xlsx": lambda: package("xlsx"),
    "docx": lambda: package("docx"),
    "ppt": ole,
    "xls": ole,
}


def stored_files(app) -> list[str]:
    """Everything in the materials folder, temporary files included."""
    folder = Path(app.config["MATERIALS_DIR"])
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def materials() -> list[Material]:
    db.session.expire_all()
    return list(db.session.scalars(select(Material).order_by(Material.id)))


def downloads() -> list[MaterialDownload]:
    db.session.expire_all()
    return list(db.session.scalars(select(MaterialDownload).order_by(MaterialDownload.id)))


def outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def mime(row: OutboxMessage) -> email.message.EmailMessage:
    return email.message_from_bytes(message_bytes(row), policy=policy.default)


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
