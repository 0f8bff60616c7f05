"""The development mailbox: each message an .eml file under MAIL_DEV_DIR, when no server is set."""

import os
import tempfile
from pathlib import Path

from app.mail.dkim import message_bytes
from app.mail.outbox import OutboxMessage


class DevMailbox:
    """Writes each message as an .eml file under MAIL_DEV_DIR, so development shows every mail."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self._started: tuple[OutboxMessage, bytes] | None = None

    def start(self, outbox_message: OutboxMessage) -> None:
        self._started = (outbox_message, message_bytes(outbox_message))

    def finish(self) -> None:
        if self._started is None:
            raise RuntimeError("finish() without start()")
        outbox_message, data = self._started
        self._started = None
        name = f"{outbox_message.created_at:%Y%m%d-%H%M%S}-{outbox_message.id:06d}.eml"
        # Write then rename, so a reader never sees half a message.
        fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, self.directory / name)

    def abandon(self) -> None:
        self._started = None
