"""Every command of the CLI fails the same way when ``DATABASE_URL`` points where nothing
listens: one line saying which database and why, exit code 1, no
traceback (``ignition serve`` printed 110 lines)."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.e2e.live import free_port
from tests.e2e.process import IGNITION

pytestmark = pytest.mark.e2e

COMMANDS = [
    ["serve", "--port", "0"],
    ["serve", "--port", "0", "--workers", "2"],
    ["migrate"],
    ["seed"],
    ["seed", "demo", "--users", "1"],
    ["user", "create", "--email", "nobody@example.com", "--name", "Nobody"],
    ["token", "create", "--email", "nobody@example.com"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
def test_an_unreachable_database_is_one_line(command: list[str]) -> None:
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/ignition"
    result = subprocess.run(
        [*IGNITION, *command],
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": url, "COLUMNS": "80"},
        timeout=60,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    (error,) = result.stderr.strip().splitlines()
    assert error.startswith(f"error: ({url}) ConnectionRefusedError: "), error
