"""Applications held until confirmed: /join for an address that already has a record stores what
was typed here, never on the member, so a stranger typing someone's address changes nothing."""

from datetime import datetime, timedelta

from sqlalchemy import delete

from app.extensions import db
from app.members.consent import CURRENT_VERSION
from app.members.models import MembershipApplication
from app.tokens import make_token, token_matches, token_row_id

APPLICATION_PURPOSE = "member-application"
# An unconfirmed application is forgotten after this long (its link stops working).
VALID_FOR = timedelta(days=14)


def hold_application(data, organization, now: datetime) -> MembershipApplication:
    """Keep what `data` (a MembershipInput) says until its link is confirmed."""
    application = MembershipApplication(
        email=data.email,
        name=data.name,
        organization_code=organization.code,
        organization_name=organization.name,
        department=data.department,
        theme_interests=list(data.theme_interests),
        locale=data.locale,
        listed_publicly=data.listed_publicly,
        consent_version=CURRENT_VERSION,
        created_at=now,
    )
    db.session.add(application)
    db.session.flush()
    return application


def application_token(application: MembershipApplication) -> str:
    return make_token(APPLICATION_PURPOSE, application.id, application.nonce)


def find_application(token: str, now: datetime, lock: bool = False) -> MembershipApplication | None:
    """The unexpired application a confirmation link was sent for, or None."""
    row_id = token_row_id(token)
    if row_id is None:
        return None
    application = db.session.get(
        MembershipApplication, row_id, with_for_update=lock, populate_existing=lock
    )
    if application is None or application.created_at < now - VALID_FOR:
        return None
    if not token_matches(token, APPLICATION_PURPOSE, application.id, application.nonce):
        return None
    return application


def discard_applications(email: str) -> None:
    """Once an address is confirmed, every other link that would apply details to it dies."""
    db.session.execute(delete(MembershipApplication).where(MembershipApplication.email == email))


def delete_expired_applications(now: datetime) -> None:
    db.session.execute(
        delete(MembershipApplication).where(MembershipApplication.created_at < now - VALID_FOR)
    )
