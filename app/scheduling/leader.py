"""Only one scheduler runs, however many workers do: the one holding the leader lock.

PostgreSQL: a session advisory lock on a connection kept open for as long as this process leads;
it is released by the server the moment that connection or process dies. SQLite: an exclusive
flock on a file beside the database; the kernel releases it when the process dies. Standbys try
again every few seconds and take over.
"""

import fcntl
import logging
import os
from pathlib import Path
from typing import TextIO

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

log = logging.getLogger(__name__)

# Advisory locks belong to a database, not a schema: the lock is (this app's arbitrary fixed key,
# a hash of the schema), so that installations or test runs sharing a database in schemas of
# their own each get a scheduler.
ADVISORY_KEY = 730_084_211
_TRY_LOCK = text("SELECT pg_try_advisory_lock(:key, hashtext(current_schema()))")
_UNLOCK = text("SELECT pg_advisory_unlock(:key, hashtext(current_schema()))")


class LeaderLock:
    """try_acquire() until it returns True; release() (or death) lets another process lead."""

    def __init__(self, engine: Engine, lock_dir: Path):
        self.engine = engine
        self.lock_dir = lock_dir
        self._connection: Connection | None = None
        self._file: TextIO | None = None

    @property
    def held(self) -> bool:
        return self._connection is not None or self._file is not None

    def try_acquire(self) -> bool:
        if self.held:
            return True
        if self.engine.dialect.name == "postgresql":
            return self._acquire_advisory()
        return self._acquire_file()

    def _acquire_advisory(self) -> bool:
        connection = self.engine.connect()
        got = connection.execute(_TRY_LOCK, {"key": ADVISORY_KEY}).scalar()
        connection.commit()
        if got:
            self._connection = connection
        else:
            connection.close()
        return bool(got)

    def _acquire_file(self) -> bool:
        self.lock_dir.mkdir(parents=True, exist_ok=True)
        handle = open(self.lock_dir / "scheduler.lock", "a+")  # noqa: SIM115 (held while leading)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._file = handle
        return True

    def still_held(self) -> bool:
        """For PostgreSQL, check the lock connection is alive (a lost connection loses the lock)."""
        if self._connection is None:
            return self._file is not None
        try:
            self._connection.execute(text("SELECT 1"))
            self._connection.commit()
            return True
        except Exception:
            log.warning("lost the scheduler lock connection")
            self._connection = None
            return False

    def release(self) -> None:
        if self._connection is not None:
            try:
                self._connection.execute(_UNLOCK, {"key": ADVISORY_KEY})
                self._connection.commit()
            finally:
                self._connection.close()
                self._connection = None
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
