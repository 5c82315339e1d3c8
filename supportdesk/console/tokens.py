"""The signed-in agent's personal API tokens: list, create (shown once), revoke."""

from __future__ import annotations

from typing import Any

from flask import render_template, url_for
from flask_babel import gettext
from flask_login import current_user
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from supportdesk.console import bp
from supportdesk.console.access import requires
from supportdesk.i18n import lazy_gettext as _l
from supportdesk.submit import Saved, act, submit
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

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    scope = SelectField(
        _l("Access"),
        choices=[SelectChoice(s.value, s.label) for s in Scope],
        default=Scope.READ.value,
    )
    expires_in_days = SelectField(
        _l("Expires"),
        choices=[SelectChoice(value, label) for value, label in EXPIRY_CHOICES],
        default="",
    )

    def values(self) -> dict[str, Any]:
        """The arguments of tokens.service.create_token, from the submitted fields."""
        days = self.expires_in_days.data
        return {
            "name": self.name.data,
            "scope": Scope(self.scope.data),
            "expires_in_days": int(days) if days else None,
        }


def _page(form: TokenForm, *, plain: str | None = None) -> str:
    tokens = queries.list_tokens(current_user.organization_id, current_user.id)
    return render_template("console/tokens.html", form=form, tokens=tokens, plain=plain)


@bp.get("/account/tokens")
@requires("api_token.manage")
def token_list():
    """The agent's tokens and the form for a new one."""
    return _page(TokenForm())


@bp.post("/account/tokens")
@requires("api_token.manage")
def token_create():
    """Create a token and show it once (rendered, never flashed: flashes live in the cookie)."""
    form = TokenForm()
    return submit(
        form,
        lambda: service.create_token(current_user, **form.values()),
        done=lambda created: _page(TokenForm(formdata=None), plain=created[1]),
        page=lambda _: _page(form),
    )


@bp.post("/account/tokens/<int:token_id>/revoke")
@requires("api_token.manage")
def token_revoke(token_id: int):
    """Revoke one of the agent's tokens; scripts using it get 401 from now on."""
    return act(
        lambda: service.revoke_token(current_user, token_id),
        done=lambda token: Saved(
            gettext("Token %(name)s revoked.", name=repr(token.name)), url_for("console.token_list")
        ),
        back=url_for("console.token_list"),
    )
