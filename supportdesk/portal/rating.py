"""Satisfaction survey pages: the one-click rating links of the email and the comment page."""

from __future__ import annotations

from flask import g, render_template, url_for
from flask_babel import gettext as _

from supportdesk.accounts.resets import LinkInvalid
from supportdesk.errors import DomainError
from supportdesk.extensions import db
from supportdesk.portal import bp
from supportdesk.portal.forms import CommentForm
from supportdesk.satisfaction import service as satisfaction
from supportdesk.submit import Saved, commit, submit


def _dead(exc: DomainError):
    return render_template("portal/message.html", title=_("Survey link"), message=exc.message), 410


@bp.get("/rate/<token>/<rating>")
def rate(token: str, rating: str):
    """Record the rating the customer clicked (once), then offer the comment page."""
    try:
        survey = satisfaction.rate(g.portal_org.id, token, rating)
        commit()
        thanks = True
    except satisfaction.AlreadyRated:
        db.session.rollback()
        survey, thanks = satisfaction.open_survey(g.portal_org.id, token), False
    except DomainError as exc:  # an expired, forged or other organization's link; a bad rating
        db.session.rollback()
        return _dead(exc)
    return render_template(
        "portal/rating.html",
        survey=survey,
        thanks=thanks,
        again=not thanks,
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
