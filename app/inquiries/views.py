"""お問い合わせ: the public inquiry form and its thank-you page."""

from flask import Blueprint, redirect, render_template, url_for
from flask_babel import get_locale

from app import clock
from app.extensions import db
from app.inquiries import services
from app.inquiries.forms import InquiryForm
from app.ratelimits import mail_request_limits

bp = Blueprint("inquiries", __name__)


@bp.route("/contact", methods=["GET", "POST"])
@mail_request_limits("contact")  # each inquiry mails an acknowledgement to the address typed
def new():
    form = InquiryForm()
    if form.is_submitted() and form.is_spam():
        return redirect(url_for("inquiries.thanks"))  # a robot learns nothing; nothing is stored
    if form.validate_on_submit():
        services.submit_inquiry(
            services.InquiryInput(
                name=form.name.data,
                email=form.email.data,
                organization=form.organization.data or "",
                subject=form.subject.data,
                body=form.body.data,
                locale=str(get_locale() or "ja"),
            ),
            clock.now(),
        )
        db.session.commit()
        return redirect(url_for("inquiries.thanks"))
    return render_template("inquiries/new.html", form=form), (422 if form.is_submitted() else 200)


@bp.route("/contact/thanks")
def thanks():
    return render_template("inquiries/thanks.html")
