"""Every migration can run while the previous release still serves (expand, then contract).

During a rolling deploy the old code runs against the new schema. So an `upgrade()` may only
*expand*: add tables, nullable columns or columns with a server default, indexes. It must not
drop or rename a table or column, nor add a NOT NULL column the old code does not fill, nor
tighten a column to NOT NULL. Those *contract* steps belong in a later release than the one that
stopped using the column; such a migration says so in a module-level `CONTRACT = "..."` naming
that release, and this test lets it through.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

VERSIONS = Path(__file__).resolve().parent.parent / "migrations" / "versions"
# Written before the rule, for a schema no released code had used yet.
BEFORE_THE_RULE = {"0001", "0002", "0003", "0004", "0005", "0006", "0007"}
DROPS = {"drop_column", "drop_table", "rename_table"}


def _keyword(call: ast.Call, name: str):
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return None


def _is_false(node) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def contract_steps(source: str) -> list[str]:
    """The contract operations in the upgrade() of a migration's source, as readable lines."""
    tree = ast.parse(source)
    upgrade = next(
        (n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "upgrade"), None
    )
    if upgrade is None:
        return []
    found = []
    for node in ast.walk(upgrade):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        name, line = node.func.attr, node.lineno
        if name in DROPS:
            found.append(f"line {line}: {name}")
        elif name == "alter_column":
            if _keyword(node, "new_column_name") is not None:
                found.append(f"line {line}: column renamed")
            if _is_false(_keyword(node, "nullable")):
                found.append(f"line {line}: column made NOT NULL")
        elif name == "add_column":
            column = next((a for a in node.args if isinstance(a, ast.Call)), None)
            if (
                column is not None
                and _is_false(_keyword(column, "nullable"))
                and _keyword(column, "server_default") is None
            ):
                found.append(f"line {line}: NOT NULL column added without a server default")
    return found


def _declares_contract(source: str) -> bool:
    tree = ast.parse(source)
    return any(
        isinstance(n, ast.Assign) and any(getattr(t, "id", "") == "CONTRACT" for t in n.targets)
        for n in tree.body
    )


MIGRATIONS = sorted(VERSIONS.glob("[0-9]*.py"))


@pytest.mark.parametrize("path", MIGRATIONS, ids=[p.stem for p in MIGRATIONS])
def test_a_migration_only_expands_unless_it_declares_a_contract(path: Path) -> None:
    if path.stem.split("_", 1)[0] in BEFORE_THE_RULE:
        pytest.skip("written before the expand/contract rule")
    source = path.read_text()
    steps = contract_steps(source)
    assert not steps or _declares_contract(source), (
        f"{path.name} contracts the schema ({'; '.join(steps)}) while the previous release may "
        "still be serving. Split it: expand now, contract in a later release, and declare "
        "CONTRACT = '<the release that stopped using it>' in that later migration."
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param(
            "def upgrade():\n    op.add_column('t', sa.Column('c', sa.Integer()))",
            [],
            id="nullable-add",
        ),
        pytest.param(
            "def upgrade():\n    op.add_column('t', sa.Column('c', sa.Integer(), nullable=False, server_default='0'))",
            [],
            id="not-null-with-default",
        ),
        pytest.param(
            "def upgrade():\n    op.add_column('t', sa.Column('c', sa.Integer(), nullable=False))",
            ["line 2: NOT NULL column added without a server default"],
            id="not-null-no-default",
        ),
        pytest.param(
            "def upgrade():\n    with op.batch_alter_table('t') as b:\n        b.drop_column('c')",
            ["line 3: drop_column"],
            id="batch-drop",
        ),
        pytest.param(
            "def upgrade():\n    op.alter_column('t', 'a', new_column_name='b')",
            ["line 2: column renamed"],
            id="rename",
        ),
        pytest.param(
            "def upgrade():\n    op.alter_column('t', 'a', nullable=False)",
            ["line 2: column made NOT NULL"],
            id="tighten",
        ),
        pytest.param(
            "def upgrade():\n    pass\ndef downgrade():\n    op.drop_table('t')",
            [],
            id="downgrade-drops",
        ),
        pytest.param(
            "def upgrade():\n    op.drop_table('t')", ["line 2: drop_table"], id="drop-table"
        ),
    ],
)
def test_contract_steps_are_recognised(source: str, expected: list[str]) -> None:
    assert contract_steps(source) == expected
