"""The agent's own availability toggle (top bar): away agents get no new tickets automatically."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, request, url_for
from flask_login import current_user

from supportdesk.accounts.service import set_away
from supportdesk.console import bp
from supportdesk.extensions import db


def _back(target: str | None) -> str:
    # Same-site paths only (never an open redirect).
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and not urlsplit(target).netloc
    ):
        return target
    return url_for("console.queue")


@bp.post("/me/away")
def away_update():
    """Mark the signed-in agent away or available, then go back to the page they were on."""
    away = set_away(current_user, request.form.get("away") == "1")
    db.session.commit()
    flash("You are away: team assignment skips you." if away else "You are available.", "success")
    return redirect(_back(request.form.get("next")))
