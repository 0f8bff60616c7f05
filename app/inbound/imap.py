"""The IMAP door, for hosts without their own MX: the return paths and the ORGANIZER address
are delivered to a mailbox elsewhere, and `flask inbound` polls it every
INBOUND_IMAP_INTERVAL_SECONDS. Each message is taken (and committed) before it is deleted from
the mailbox, so a crash in between only means it is read again, which records nothing twice."""

import imaplib
import logging

from flask import Config, Flask

from app.inbound.listener import Take

log = logging.getLogger(__name__)


def _connect(config: Config) -> imaplib.IMAP4:
    host, port = config["INBOUND_IMAP_HOST"], config["INBOUND_IMAP_PORT"]
    timeout = config["MAIL_TIMEOUT"]
    if config["INBOUND_IMAP_SSL"]:
        return imaplib.IMAP4_SSL(host, port, timeout=timeout)
    return imaplib.IMAP4(host, port, timeout=timeout)


def poll_mailbox(app: Flask, take: Take) -> int:
    """Take every message waiting in the mailbox; returns how many were taken. Connection and
    protocol errors are logged and end this round: the next one tries again."""
    config = app.config
    if not config["INBOUND_IMAP_HOST"]:
        return 0
    taken = 0
    try:
        imap = _connect(config)
    except (OSError, imaplib.IMAP4.error) as error:
        log.warning("cannot reach the inbound IMAP server: %s", error)
        return 0
    try:
        imap.login(config["INBOUND_IMAP_USERNAME"], config["INBOUND_IMAP_PASSWORD"])
        status, _ = imap.select(config["INBOUND_IMAP_MAILBOX"])
        if status != "OK":
            log.warning(
                "inbound IMAP mailbox %r cannot be selected", config["INBOUND_IMAP_MAILBOX"]
            )
            return 0
        status, data = imap.uid("SEARCH", "UNDELETED")
        uids = data[0].split() if status == "OK" and data and data[0] else []
        for uid in uids:
            status, fetched = imap.uid("FETCH", uid, "(RFC822)")
            raw = next(
                (item[1] for item in fetched or [] if isinstance(item, tuple) and len(item) > 1),
                None,
            )
            if status != "OK" or not isinstance(raw, bytes):
                continue
            if len(raw) > config["INBOUND_MAX_BYTES"]:
                log.warning("inbound IMAP message %s too large (%d bytes); dropped", uid, len(raw))
            elif not take(app, raw, []):
                break  # the database is away: leave this and the rest for the next round
            imap.uid("STORE", uid, "+FLAGS", r"(\Deleted)")
            taken += 1
        imap.expunge()
    except (OSError, imaplib.IMAP4.error) as error:
        log.warning("inbound IMAP round stopped: %s", error)
    finally:
        try:
            imap.logout()
        except (OSError, imaplib.IMAP4.error):
            pass
    return taken
