"""The agent's own availability toggle (top bar): away agents get no new tickets automatically."""

from __future__ import annotations

from flask import request
from flask_babel import gettext
from flask_login import current_user

from supportdesk.accounts.service import set_away
from supportdesk.console import bp
from supportdesk.submit import Saved, act
from supportdesk.web import same_site_path


@bp.post("/me/away")
def away_update():
    """Mark the signed-in agent away or available, then go back to the page they were on."""
    back = same_site_path(request.form.get("next"))
    return act(
        lambda: set_away(current_user, request.form.get("away") == "1"),
        done=lambda away: Saved(
            gettext("You are away: team assignment skips you.")
            if away
            else gettext("You are available."),
            back,
        ),
        back=back,
    )
