"""README's first command, `make run`, serves the portal where the README
says: http://127.0.0.1:8000, or PORT when it is set."""

import os
import shlex
import subprocess
from pathlib import Path

import pytest
from honcho.command import parser as honcho_parser
from honcho.environ import expand_processes, parse_procfile

ROOT = Path(__file__).resolve().parent.parent


def _web_port(**env: str) -> str:
    """The PORT honcho gives the web process when `make run` starts it."""
    dry_run = subprocess.run(
        ["make", "-n", "run"],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(line for line in dry_run.splitlines() if "honcho" in line)
    words = shlex.split(line.split("honcho", 1)[1])
    options = honcho_parser.parse_args(words)
    # Without -p honcho takes PORT from the environment, else 5000.
    port = getattr(options, "port", None) or env.get("PORT") or 5000
    procfile = parse_procfile((ROOT / options.procfile).read_text())
    processes = expand_processes(procfile.processes, port=int(port))
    web = next(process for process in processes if process.name == "web.1")
    assert "${PORT" in procfile.processes["web"], "the web command ignores PORT"
    return web.env["PORT"]


@pytest.fixture
def no_port(monkeypatch):
    monkeypatch.delenv("PORT", raising=False)


def test_the_portal_is_served_on_port_8000_by_default(no_port):
    assert _web_port() == "8000"


def test_port_moves_it(no_port):
    assert _web_port(PORT="8123") == "8123"
