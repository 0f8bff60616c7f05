"""GET the form, POST it (lock, duplicate check, seats, registration and outbox, commit),
redirect, result page."""

from flask import Blueprint, abort, redirect, render_template, session, url_for
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from bench.floor import mail
from bench.floor.forms import SignUpForm, organization_codes, organization_datalist
from bench.floor.models import (
    Event,
    OutboxMessage,
    Registration,
    db,
    registration_parts,
    utcnow,
)

bp = Blueprint("floor", __name__)


def _event(slug: str, lock: bool = False) -> Event:
    """The published event with its parts and tables; locked for the transaction if asked."""
    query = select(Event).where(Event.slug == slug, Event.published.is_(True))
    if lock:
        query = query.with_for_update(of=Event)
    event = db.session.scalar(query.options(selectinload(Event.parts), selectinload(Event.tables)))
    if event is None:
        abort(404)
    return event


def _seat_free(event: Event, parts: list, table) -> bool:
    """Whether the event, each chosen part and the table still have a seat: one SELECT."""
    confirmed = Registration.status == "confirmed"
    counts = []
    limits = []
    if event.capacity is not None:
        counts.append(
            select(func.count())
            .where(Registration.event_id == event.id, confirmed)
            .scalar_subquery()
        )
        limits.append(event.capacity)
    for part in parts:
        if part.capacity is not None:
            counts.append(
                select(func.count())
                .select_from(registration_parts.join(Registration))
                .where(registration_parts.c.part_id == part.id, confirmed)
                .scalar_subquery()
            )
            limits.append(part.capacity)
    if table is not None and table.capacity is not None:
        counts.append(
            select(func.count())
            .where(Registration.table_id == table.id, confirmed)
            .scalar_subquery()
        )
        limits.append(table.capacity)
    if not counts:
        return True
    taken = db.session.execute(select(*counts)).one()
    return all(n < limit for n, limit in zip(taken, limits, strict=True))


@bp.route("/events/<slug>/register", methods=["GET", "POST"])
def register(slug):
    form = SignUpForm()
    event = _event(slug, lock=form.is_submitted())
    form.offer(event)
    if event.registration_closes_at is not None and utcnow() >= event.registration_closes_at:
        form.form_errors.append("受付は終了しました。")
        return _page(event, form, 409)
    if not form.validate_on_submit():
        return _page(event, form, 422 if form.is_submitted() else 200)
    email = form.email.data.lower()
    duplicate = db.session.scalar(
        select(Registration.id).where(
            Registration.event_id == event.id, Registration.email == email
        )
    )
    if duplicate is not None:
        db.session.rollback()
        form.email.errors.append("このメールアドレスでは既にお申し込みがあります。")
        return _page(event, form, 409)
    parts = [part for part in event.parts if part.id in form.parts.data]
    table = next((t for t in event.tables if t.id == form.table.data), None)
    registration = Registration(
        event=event,
        name=form.name.data,
        email=email,
        organization_code=organization_codes().get(form.organization.data),
        organization_name=form.organization.data,
        table=table,
        parts=parts,
        status="confirmed" if _seat_free(event, parts, table) else "waitlisted",
    )
    db.session.add(registration)
    try:
        db.session.flush()  # the id, for the invite's UID
    except IntegrityError:  # a unique constraint behind the check above, whatever happens
        db.session.rollback()
        abort(409)
    db.session.add(OutboxMessage(to_addr=email, mime=mail.confirmation(registration)))
    registration_id = registration.id
    db.session.commit()
    session["registration"] = registration_id
    return redirect(url_for(".complete", slug=slug))


def _page(event, form, status):
    page = render_template(
        "form.html", event=event, form=form, organizations=organization_datalist()
    )
    return page, status


@bp.route("/events/<slug>/register/complete")
def complete(slug):
    registration_id = session.pop("registration", None)  # shown once
    registration = registration_id and db.session.scalar(
        select(Registration)
        .where(Registration.id == registration_id)
        .options(
            joinedload(Registration.event),
            joinedload(Registration.table),
            selectinload(Registration.parts),
        )
    )
    if not registration or registration.event.slug != slug:
        return redirect(url_for(".register", slug=slug))
    return render_template("result.html", registration=registration)
