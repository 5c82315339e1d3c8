"""The one way an HTML view saves: run one service, commit once, say so; or show why not.

    @bp.route("/teams/new", methods=["GET", "POST"])
    @requires("team.manage")
    def team_new():
        form = TeamForm()
        return submit(
            form,
            lambda: service.create_team(current_user, **form.values()),
            done=lambda team: Saved("Team created.", url_for("admin.team_list")),
            page=lambda error: render_template("admin/team_form.html", form=form),
        )

`submit` serves a form with fields, `act` a button (a form holding only its CSRF token). The rules,
the same as the API's JSON answers (supportdesk.api.errors.domain_error):
- GET shows the page (200). A POST the form's own checks refuse shows it again with the field
  errors (422) and runs nothing.
- Otherwise the service runs, then `commit()`: the one COMMIT of the request, which first runs the
  subscribers of supportdesk.events.SUBSCRIBERS, in that order, inside the transaction.
  Success flashes `Saved.message` and redirects (POST/redirect/GET).
- A DomainError rolls everything back. Its message is flashed (the summary at the top, unless a
  field says the very same) and its `fields` go beside the matching fields; the page comes back
  with the agent's input and the error's 4xx status. A button flashes the message and goes back
  instead; a NotFound there is the 404 page, as everywhere (another organization's id included).
- Anything else, a failing subscriber included, rolls back too and is the 500 page, which says
  nothing was saved and shows the request id the log lines carry (supportdesk.web).
CSRF is checked before any view runs (CSRFProtect, app-wide); `validate` checks it again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from flask import Response, flash, redirect
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm

from supportdesk.errors import DomainError, NotFound
from supportdesk.extensions import db

T = TypeVar("T")


@dataclass(frozen=True)
class Saved:
    """What to tell the agent after a save, and the page to send them to."""

    message: str
    to: str
    category: str = "success"

    def response(self) -> Response:
        flash(self.message, self.category)
        return redirect(self.to)


def commit() -> None:
    """COMMIT the request's work, after the subscribers of supportdesk.events.SUBSCRIBERS ran.

    A subscriber that raises leaves nothing committed; the error propagates (the caller rolls back).
    """
    db.session.commit()


def submit(
    form: FlaskForm,
    save: Callable[[], T],
    *,
    done: Callable[[T], Saved | ResponseReturnValue],
    page: Callable[[DomainError | None], ResponseReturnValue],
) -> ResponseReturnValue:
    """Serve a form view: show `page`, or run `save` and commit, then answer with `done(result)`.

    `page(error)` renders the body of the form page (`error` is the DomainError that refused the
    save, if any); `done` returns a Saved (flash and redirect) or a response of its own.
    """
    if not form.is_submitted():
        return page(None), 200
    if not form.validate():
        return page(None), 422
    try:
        result = save()
        commit()
    except DomainError as exc:
        db.session.rollback()
        show_error(form, exc)
        return page(exc), exc.status
    answer = done(result)
    return answer.response() if isinstance(answer, Saved) else answer


def act(run: Callable[[], T], *, done: Callable[[T], Saved], back: str) -> Response:
    """Serve a button: run one service and commit, then `done(result)`; a refusal goes to `back`."""
    try:
        result = run()
        commit()
    except NotFound:
        raise  # the 404 page (supportdesk.web rolls back)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(back)
    return done(result).response()


def show_error(form: FlaskForm, exc: DomainError) -> None:
    """Flash the error's message (unless a field says the same); put field messages beside fields.

    A service names a relation (`team`), a form may name its id (`team_id`); both match.
    """
    if exc.message not in exc.fields.values():
        flash(exc.message, "error")
    for name, message in exc.fields.items():
        field = getattr(form, name, None) or getattr(form, f"{name}_id", None)
        if field is not None:
            field.errors = [*field.errors, message]
