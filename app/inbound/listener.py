"""The SMTP door (`flask inbound`): aiosmtpd on INBOUND_SMTP_HOST:INBOUND_SMTP_PORT, to which the
mail server forwards our return paths (bounce+…@BOUNCE_DOMAIN) and the calendar ORGANIZER
address. Other recipients are refused at RCPT; each message is handed to the door's `take` in a
thread of its own (database work must not stall the server's event loop) and committed before
it is answered."""

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from flask import Flask

from app.calendar.entries import calendar_settings
from app.mail.return_path import outbox_id_of

log = logging.getLogger(__name__)

# The door's unit of work (app/inbound/cli.py): take one message, False to have it sent again.
Take = Callable[[Flask, bytes, list[str]], bool]


class InboundHandler:
    """aiosmtpd's handler: the RCPT check and the DATA hand-over."""

    def __init__(self, app: Flask, take: "Take"):
        self.app = app
        self.take = take
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="inbound")

    def accepts(self, address: str) -> bool:
        with self.app.app_context():
            if outbox_id_of(address) is not None:
                return True
            organizer = calendar_settings().organizer_email.lower()
        return bool(organizer) and address.strip("<>").lower() == organizer

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if not self.accepts(address):
            return "550 5.1.1 No such recipient here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        loop = asyncio.get_running_loop()
        taken = await loop.run_in_executor(
            self.executor, self.take, self.app, raw, list(envelope.rcpt_tos)
        )
        if not taken:
            return "451 4.3.0 Temporary failure, please try again later"
        return "250 OK"

    def close(self) -> None:
        self.executor.shutdown(wait=True)


class InboundListener:
    """The SMTP listener, started and stopped around a `flask inbound` run (or a test)."""

    def __init__(self, app: Flask, take: "Take", host: str | None = None, port: int | None = None):
        self.handler = InboundHandler(app, take)
        self.controller = Controller(
            self.handler,
            hostname=host or app.config["INBOUND_SMTP_HOST"],
            port=port or app.config["INBOUND_SMTP_PORT"],
            data_size_limit=app.config["INBOUND_MAX_BYTES"],
            server_hostname="inbound.localhost",
        )

    def start(self) -> "InboundListener":
        self.controller.start()
        log.info("inbound SMTP listening on %s:%s", self.controller.hostname, self.controller.port)
        return self

    def stop(self) -> None:
        self.controller.stop()
        self.handler.close()
