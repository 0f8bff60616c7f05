"""The members of the network in the console: a searchable list and each member's record,
including what they consented to and when."""

from flask import render_template, request

from app.admin.blueprint import bp
from app.exports.services import MEMBER_STATUS_LABELS, REGISTRATION_STATUS_LABELS, THEME_LABELS
from app.extensions import db
from app.members.imports.services import imported_consent_method
from app.members.models import Member
from app.members.search import MemberSearch, consent_wording, find_members, member_registrations
from app.members.services import AWAITING_CONSENT
from app.routing import LARGEST_PAGE, query_int
from app.statistics.services import prefecture_of


@bp.route("/members")
def members():
    search = MemberSearch.parse(request.args.get("q"), request.args.get("status"))
    result = find_members(search, query_int("page", 1, maximum=LARGEST_PAGE))
    return render_template(
        "admin/members/list.html",
        search=search,
        result=result,
        status_labels=MEMBER_STATUS_LABELS,
        awaiting_consent=AWAITING_CONSENT,
    )


@bp.route("/members/<id:member_id>")
def member(member_id):
    member = db.get_or_404(Member, member_id)
    return render_template(
        "admin/members/detail.html",
        member=member,
        predecessor=db.session.get(Member, member.predecessor_id)
        if member.predecessor_id
        else None,
        prefecture=prefecture_of(member.organization_code),
        wording=consent_wording(member.consent_version),
        registrations=member_registrations(member),
        status_labels=MEMBER_STATUS_LABELS,
        registration_labels=REGISTRATION_STATUS_LABELS,
        theme_labels=THEME_LABELS,
        awaiting_consent=AWAITING_CONSENT,
        imported_consent_method=imported_consent_method(member),
    )
