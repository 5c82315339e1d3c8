"""`flask reports export`: makes an export in this process (a search too) and says its rows,
bytes, seconds and the process's peak RSS: the tool that measures an export at 1,000,000 tickets."""

from __future__ import annotations

import re

import pytest

from supportdesk.exports.models import Export
from supportdesk.extensions import db
from supportdesk.storage import storage
from tests.factories import make_staff, make_ticket

pytestmark = pytest.mark.integration

LINE = re.compile(
    r"Export (\d+) completed: (\d+) rows, ([\d,]+) bytes \([\d.]+ MB\) in [\d.]+ s; "
    r"peak RSS \d+ MB\.$"
)


@pytest.mark.parametrize(
    ("query", "rows"),
    [
        pytest.param("queue=all", 3, id="queue"),
        pytest.param("q=refund&status=open&status=pending", 2, id="search-repeated-filter"),
    ],
)
def test_the_export_command_makes_the_file_here_and_says_what_it_measured(app, query, rows):
    from supportdesk.tickets.models import Status

    staff = make_staff()
    make_ticket(staff.org, subject="Refund, please")
    make_ticket(staff.org, subject="Second refund", status=Status.PENDING)
    make_ticket(staff.org, subject="Printer")
    db.session.commit()
    result = app.test_cli_runner().invoke(
        args=["reports", "export", "--as", staff.agent.email, "--query", query]
    )
    assert result.exit_code == 0, result.output
    match = LINE.search(result.output.strip())
    assert match, result.output
    export = db.session.get(Export, int(match.group(1)))
    assert int(match.group(2)) == export.rows == rows
    assert (
        int(match.group(3).replace(",", ""))
        == export.size
        == len(storage().read(export.storage_key))
    )


def test_the_export_command_names_an_unknown_agent(app):
    result = app.test_cli_runner().invoke(args=["reports", "export", "--as", "nobody@example.com"])
    assert result.exit_code != 0
    assert "No agent has the address nobody@example.com." in result.output
