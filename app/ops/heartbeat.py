"""Workers record that they are alive; /readyz reads it."""

import os
import socket
from datetime import datetime

from sqlalchemy import delete

from app.extensions import db
from app.ops.models import WorkerHeartbeat

WORKER_NAME = f"{socket.gethostname()}:{os.getpid()}"[:100]


def beat(now: datetime, leader: bool) -> None:
    """Refresh this worker's row (the worker commits)."""
    db.session.merge(WorkerHeartbeat(name=WORKER_NAME, leader=leader, seen_at=now))


def forget() -> None:
    """Remove this worker's row when it stops cleanly."""
    db.session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.name == WORKER_NAME))
