"""`make run` serves where HOST and PORT say, and the links it mails point there too."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent


def _run_commands(*arguments: str, base_url: str | None = None) -> list[str]:
    """The commands `make run` would run (make -n runs nothing)."""
    env = {k: v for k, v in os.environ.items() if k != "SUPPORTDESK_BASE_URL"}
    if base_url is not None:
        env["SUPPORTDESK_BASE_URL"] = base_url
    done = subprocess.run(
        ["make", "-n", "run", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.splitlines()


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
@pytest.mark.parametrize(
    ("arguments", "base_url", "serves", "links"),
    [
        pytest.param(
            (), None, "--host 127.0.0.1 --port 5000", "http://127.0.0.1:5000", id="default"
        ),
        pytest.param(("PORT=5051",), None, "--port 5051", "http://127.0.0.1:5051", id="port"),
        pytest.param(
            ("HOST=localhost", "PORT=8080"),
            None,
            "--host localhost --port 8080",
            "http://localhost:8080",
            id="host-and-port",
        ),
        pytest.param(
            ("HOST=0.0.0.0", "PORT=5051"),
            None,
            "--host 0.0.0.0 --port 5051",
            "http://127.0.0.1:5051",
            id="wildcard-host",
        ),
        pytest.param(
            ("PORT=5051",),
            "https://help.example",
            "--port 5051",
            "https://help.example",
            id="configured-base-url-wins",
        ),
    ],
)
def test_make_run_serves_and_links_to_the_same_address(arguments, base_url, serves, links):
    commands = _run_commands(*arguments, base_url=base_url)
    [serve] = [c for c in commands if " run --host " in c]
    [seed] = [c for c in commands if " seed-demo " in c]

    assert serves in serve
    assert serve.startswith(f"SUPPORTDESK_BASE_URL='{links}' ")
    # The seed step prints the sign-in address from the same setting.
    assert seed.startswith(f"SUPPORTDESK_BASE_URL='{links}' ")
