"""`python -m search` is the `morgue` command."""
from search.cli import cli

cli(prog_name="morgue")
