"""The signed-in agent's personal API tokens: list, create (shown once), revoke."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from supportdesk.console import bp
from supportdesk.console.access import requires
from supportdesk.console.forms import apply_domain_errors
from supportdesk.errors import DomainError
from supportdesk.extensions import db
from supportdesk.tokens import queries, service
from supportdesk.tokens.models import Scope
from supportdesk.web import Form

# Days until a new token expires ("" = never), as offered on the form.
EXPIRY_CHOICES = [
    ("", "Never"),
    ("7", "In 7 days"),
    ("30", "In 30 days"),
    ("90", "In 90 days"),
    ("365", "In a year"),
]


class TokenForm(Form):
    """A name, a scope and an optional expiry for a new token."""

    name = StringField("Name", validators=[DataRequired(), Length(max=100)])
    scope = SelectField(
        "Access",
        choices=[SelectChoice(s.value, s.label) for s in Scope],
        default=Scope.READ.value,
    )
    expires_in_days = SelectField(
        "Expires",
        choices=[SelectChoice(value, label) for value, label in EXPIRY_CHOICES],
        default="",
    )


def _render(form: TokenForm, *, plain: str | None = None, status: int = 200):
    tokens = queries.list_tokens(current_user.organization_id, current_user.id)
    return render_template("console/tokens.html", form=form, tokens=tokens, plain=plain), status


@bp.get("/account/tokens")
@requires("api_token.manage")
def token_list():
    """The agent's tokens and the form for a new one."""
    return _render(TokenForm())


@bp.post("/account/tokens")
@requires("api_token.manage")
def token_create():
    """Create a token and show it once (rendered, never flashed: flashes live in the cookie)."""
    form = TokenForm()
    if not form.validate():
        return _render(form, status=422)
    try:
        _token, plain = service.create_token(
            current_user,
            name=form.name.data,
            scope=Scope(form.scope.data),
            expires_in_days=int(form.expires_in_days.data) if form.expires_in_days.data else None,
        )
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        apply_domain_errors(form, exc)
        return _render(form, status=exc.status)
    return _render(TokenForm(formdata=None), plain=plain)


@bp.post("/account/tokens/<int:token_id>/revoke")
@requires("api_token.manage")
def token_revoke(token_id: int):
    """Revoke one of the agent's tokens; scripts using it get 401 from now on."""
    # CSRFProtect has already checked the form's token.
    token = service.revoke_token(current_user, token_id)
    db.session.commit()
    flash(f"Token {token.name!r} revoked.", "success")
    return redirect(url_for("console.token_list"))
