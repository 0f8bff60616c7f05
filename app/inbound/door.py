"""The unit of work both inbound doors share: one message, one commit, one error boundary.
A message we cannot read is logged and dropped (answered as accepted, so no server sends it
again and again); only a database that is not there asks the sender to try later."""

import logging
from enum import StrEnum

from flask import Flask
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from app import clock
from app.audit.actor import SYSTEM
from app.extensions import db
from app.inbound.receive import receive

log = logging.getLogger(__name__)


class Outcome(StrEnum):
    DONE = "done"  # acted on, or deliberately dropped
    RETRY = "retry"  # the database failed: the sender (or the next poll) should try again


def take_message(app: Flask, raw: bytes, recipients: list[str]) -> Outcome:
    """Receive one message in its own app context and transaction."""
    with app.app_context():
        try:
            outcome = receive(raw, recipients, clock.now(), actor=SYSTEM)
            db.session.commit()
        except IntegrityError:
            # A copy of the same bounce or reply recorded by the other door a moment ago.
            db.session.rollback()
            outcome = "duplicate"
        except SQLAlchemyError:
            db.session.rollback()
            log.exception("inbound message not recorded; the sender should try again")
            return Outcome.RETRY
        except Exception:
            db.session.rollback()
            log.exception("inbound message could not be read; dropped")
            outcome = "dropped"
        finally:
            db.session.remove()
        log.info("inbound message (%d bytes): %s", len(raw), outcome)
        return Outcome.DONE
