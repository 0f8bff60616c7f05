"""The API's members: the list and one member (both audited), an organizer's correction, and
参加のお申し込み with double opt-in."""

from flask import abort, jsonify
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app import clock
from app.api import queries
from app.api.blueprint import api_actor, bp, organizer_required
from app.api.helpers import audit_read, choice, json_body, page_of, paging, with_locale
from app.api.resources import MemberBody, member_json
from app.extensions import db
from app.inputs import parse
from app.members import services as members
from app.members.inputs import JoinInput
from app.members.models import Member, MemberStatus
from app.ratelimits import mail_request_limits


@bp.get("/members")
@organizer_required
def list_members():
    status = choice("status", tuple(s.value for s in MemberStatus))
    page, per_page = paging()
    audit = ("member.api_list", "members")
    return page_of(queries.members(status), member_json, page, per_page, audit=audit)


@bp.get("/members/<id:member_id>")
@organizer_required
def get_member(member_id):
    member = db.session.get(Member, member_id)
    if member is None:
        abort(404)
    document = member_json(member)
    audit_read("member.api_read", f"member:{member_id}", rows=1)
    return jsonify(document)


@bp.put("/members/<id:member_id>")
@organizer_required
def replace_member(member_id):
    """Correct a member's name, department, themes and public listing, as the member may on
    their own page; the representation GET returns is accepted (read-only fields ignored)."""
    member = db.session.get(Member, member_id)
    if member is None:
        abort(404)
    data = parse(MemberBody, json_body()).to_input()
    members.update_profile(member, data, actor=api_actor())
    db.session.commit()
    return jsonify(member_json(member))


@bp.post("/members")
@mail_request_limits("join")
def create_member():
    """参加のお申し込み with double opt-in: the applicant gets a mail with a confirmation link
    and becomes a member only by following it. The answer is the same whether or not the
    address is already a member, so it reveals no one."""
    application = parse(JoinInput, with_locale(json_body()))
    try:
        members.apply_for_membership(application, clock.now())
        db.session.commit()
    except IntegrityError:
        # The same address applied at the same moment: applying again finds that row.
        db.session.rollback()
        members.apply_for_membership(application, clock.now())
        db.session.commit()
    response = jsonify(
        status="accepted",
        detail=_("確認のメールをお送りしました。メール内のリンクを開くとお申し込みが完了します。"),
    )
    response.status_code = 202
    return response
