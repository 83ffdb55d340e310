"""The README cannot fall behind the CLI: every command is documented, and every command
line it shows names options that exist."""
from __future__ import annotations

import re
import shlex

import pytest

from conftest import ROOT
from search.cli import cli

README = (ROOT / "README.md").read_text(encoding="utf-8")
JOINED = re.sub(r"\\\n\s*", " ", README)  # shell line continuations
SHOWN = [line.split("#")[0].strip() for line in JOINED.splitlines() if re.match(r"\s*morgue \w", line)]


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_is_in_the_readme(command):
    assert f"morgue {command}" in README


@pytest.mark.parametrize("line", SHOWN)
def test_every_command_line_in_the_readme_uses_real_options(line):
    words = shlex.split(line)
    command = cli.commands[words[1]]
    known = {opt for param in command.params for opt in param.opts}
    used = {word for word in words if word.startswith("--")}
    assert used <= known | {"--help"}, f"{line}: unknown {used - known}"


def test_the_two_setup_commands_are_there():
    assert "pip install . && morgue reindex corpus/ && morgue serve" in README
    assert "pip install '.[test]' && pytest" in README
    assert "pip install '.[test]' && pytest" in (ROOT / ".ci" / "run").read_text()
