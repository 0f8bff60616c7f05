"""The worker's side of a large import: claim a queued batch, check its rows with the progress
committed chunk by chunk (the page shows it), or import it in one transaction."""

import logging
from datetime import datetime

from sqlalchemy import select, update

from app.audit.actor import Actor
from app.extensions import db
from app.members.imports import services
from app.members.imports.models import ImportStatus, MemberImport
from app.members.imports.reading import ImportFileError

log = logging.getLogger(__name__)

_NEXT = {
    ImportStatus.ANALYSIS_QUEUED: ImportStatus.ANALYSING,
    ImportStatus.IMPORT_QUEUED: ImportStatus.IMPORTING,
}


def _claim() -> tuple[int, str] | None:
    """Take the oldest queued batch; the status changes with a guarded UPDATE, so two workers
    never take the same one. Committed."""
    queued = db.session.execute(
        select(MemberImport.id, MemberImport.status)
        .where(MemberImport.status.in_(list(_NEXT)))
        .order_by(MemberImport.id)
        .limit(1)
    ).first()
    if queued is None:
        db.session.rollback()
        return None
    claimed = db.session.execute(
        update(MemberImport)
        .where(MemberImport.id == queued.id, MemberImport.status == queued.status)
        .values(status=_NEXT[queued.status], progress=0)
    )
    db.session.commit()
    return (queued.id, _NEXT[queued.status]) if claimed.rowcount == 1 else None


def _check(batch_id: int, now: datetime) -> None:
    batch = db.session.get(MemberImport, batch_id)

    def progress(done: int) -> None:
        db.session.execute(
            update(MemberImport).where(MemberImport.id == batch_id).values(progress=done)
        )
        db.session.commit()

    services.preview(batch, now, progress)
    db.session.commit()


def _import(batch_id: int, now: datetime) -> None:
    batch = db.session.get(MemberImport, batch_id)
    actor = Actor(batch.via, organizer_id=batch.organizer_id)
    services.apply(batch, actor, now)
    db.session.commit()


def run_member_imports(now: datetime) -> int:
    """Work through the queued imports, one at a time, each behind its own error boundary: a
    failure marks that batch 失敗 with the reason and leaves the members as they were."""
    done = 0
    while (claimed := _claim()) is not None:
        batch_id, status = claimed
        try:
            if status == ImportStatus.ANALYSING:
                _check(batch_id, now)
            else:
                _import(batch_id, now)
            done += 1
        except Exception as error:
            db.session.rollback()
            if isinstance(error, ImportFileError):
                reason = str(error.message)
            else:
                log.exception("member import %s failed", batch_id)
                reason = f"{type(error).__name__}: {error}".splitlines()[0]
            db.session.execute(
                update(MemberImport)
                .where(MemberImport.id == batch_id)
                .values(status=ImportStatus.FAILED, failure=reason[:500])
            )
            db.session.commit()
    return done
