"""An import of a contact list (a batch): the file until it is imported, the columns chosen, each
row's result, and what the import did to which member, with the values it replaced, so that it
can be undone."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app import clock
from app.database import UTCDateTime
from app.extensions import db


class ImportStatus(StrEnum):
    UPLOADED = "uploaded"  # the file is read; the columns are to be chosen
    ANALYSIS_QUEUED = "analysis_queued"  # a large file waits for the worker to check its rows
    ANALYSING = "analysing"
    PREVIEWED = "previewed"  # every row's result is shown; nothing written yet
    IMPORT_QUEUED = "import_queued"  # confirmed; a large file waits for the worker
    IMPORTING = "importing"
    IMPORTED = "imported"
    UNDONE = "undone"
    FAILED = "failed"
    CANCELLED = "cancelled"


# The states in which the worker (or the page) is still busy: the progress page refreshes.
BUSY = (
    ImportStatus.ANALYSIS_QUEUED,
    ImportStatus.ANALYSING,
    ImportStatus.IMPORT_QUEUED,
    ImportStatus.IMPORTING,
)


class RowOutcome(StrEnum):
    NEW = "new"  # 新規
    UPDATE = "update"  # 更新
    SAME = "same"  # 変更なし
    ERROR = "error"  # エラー


class MemberImport(db.Model):
    """One import of one file by one organizer: who, when, which file, what it counted."""

    __tablename__ = "member_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    organizer_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizers.id", ondelete="SET NULL")
    )
    via: Mapped[str] = mapped_column(String(10), default="console")
    file_name: Mapped[str] = mapped_column(String(255))
    # The uploaded bytes, kept only until the import is done or abandoned (personal data).
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    sheet_names: Mapped[list[str]] = mapped_column(JSON, default=list)
    sheet: Mapped[str | None] = mapped_column(String(100))
    headers: Mapped[list[str]] = mapped_column(JSON, default=list)
    # field -> column index (see app/members/imports/columns.py)
    mapping: Mapped[dict] = mapped_column(JSON, default=dict)
    # Rows without a consent record get the double opt-in mail (only when the organizer says so).
    send_invitations: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(20), default=ImportStatus.UPLOADED, index=True)
    row_count: Mapped[int] = mapped_column(default=0)
    progress: Mapped[int] = mapped_column(default=0)
    created_count: Mapped[int] = mapped_column(default=0)
    updated_count: Mapped[int] = mapped_column(default=0)
    unchanged_count: Mapped[int] = mapped_column(default=0)
    error_count: Mapped[int] = mapped_column(default=0)
    invited_count: Mapped[int] = mapped_column(default=0)
    # Why a background step failed, for the organizer.
    failure: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    undone_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizers.id", ondelete="SET NULL")
    )


class MemberImportRow(db.Model):
    """One row's result in the preview (and, once imported, in the report)."""

    __tablename__ = "member_import_rows"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(
        ForeignKey("member_imports.id", ondelete="CASCADE"), index=True
    )
    row_number: Mapped[int]
    outcome: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(String(1000), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    name: Mapped[str] = mapped_column(String(100), default="")
    organization: Mapped[str] = mapped_column(String(100), default="")


class MemberImportChange(db.Model):
    """A member an import created or updated; `previous` holds the values it replaced, and for a
    consent the import recorded, how it was given (the 特定電子メール法 record)."""

    __tablename__ = "member_import_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(
        ForeignKey("member_imports.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), index=True
    )
    email: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(10))  # "created" or "updated"
    previous: Mapped[dict | None] = mapped_column(JSON)
    consent_method: Mapped[str] = mapped_column(String(100), default="")
