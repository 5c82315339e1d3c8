"""Satisfaction survey pages: the one-click rating links of the email and the comment page."""

from __future__ import annotations

from flask import g, render_template, url_for
from flask_babel import gettext as _

from supportdesk.accounts.resets import LinkInvalid
from supportdesk.errors import DomainError
from supportdesk.extensions import db
from supportdesk.portal import bp
from supportdesk.portal.forms import CommentForm, RatingForm
from supportdesk.satisfaction import service as satisfaction
from supportdesk.submit import Saved, commit, submit


def _dead(exc: DomainError):
    return render_template("portal/message.html", title=_("Survey link"), message=exc.message), 410


@bp.route("/rate/<token>/<rating>", methods=["GET", "POST"])
def rate(token: str, rating: str):
    """The rating links of the email. Opening one shows the rating it names in a form that the
    page's script sends at once (one click for the customer; a button without script). Opening
    records nothing: mail scanners follow every link of a message, and would otherwise answer
    the survey "good" for the customer and use up the link."""
    try:
        survey = satisfaction.open_survey(g.portal_org.id, token)
        satisfaction.parse_rating(rating)
    except DomainError as exc:  # an expired, forged or other organization's link; a bad rating
        return _dead(exc)
    if survey.rating is not None:
        return _rating_page(survey, token, again=True)
    form = RatingForm(rating=rating)
    if not form.validate_on_submit():
        return render_template("portal/rating.html", survey=survey, rating_form=form, token=token)
    try:
        survey = satisfaction.rate(g.portal_org.id, token, form.rating.data)
        commit()
    except satisfaction.AlreadyRated:  # sent twice at once (two tabs)
        db.session.rollback()
        return _rating_page(satisfaction.open_survey(g.portal_org.id, token), token, again=True)
    except DomainError as exc:
        db.session.rollback()
        return _dead(exc)
    return _rating_page(survey, token, thanks=True)


def _rating_page(survey, token: str, *, thanks: bool = False, again: bool = False):
    """The recorded rating, and the comment form while there is no comment."""
    return render_template(
        "portal/rating.html",
        survey=survey,
        thanks=thanks,
        again=again,
        form=CommentForm(),
        token=token,
    )


@bp.route("/rate/<token>", methods=["GET", "POST"])
def rating_comment(token: str):
    """Add a comment to the rating (once)."""
    try:
        survey = satisfaction.open_survey(g.portal_org.id, token)
    except LinkInvalid as exc:
        return _dead(exc)
    form = CommentForm()
    return submit(
        form,
        lambda: satisfaction.comment(g.portal_org.id, token, form.comment.data),
        done=lambda _result: Saved(
            _("Thank you for your comment!"), url_for("portal.rating_comment", token=token)
        ),
        page=lambda _error: render_template(
            "portal/rating.html", survey=survey, thanks=False, again=False, form=form, token=token
        ),
    )
