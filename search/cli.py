"""The `morgue` command: parse options, call the search library, print. No logic lives here."""
from __future__ import annotations

import html
import json
import logging
import os
import re
import sys
import time
from pathlib import Path

import click

import search
from search.indexer import read_meta
from search.workers import WorkerFailed

MARK = re.compile(r"<mark[^>]*>(.*?)</mark>", re.DOTALL)
REJECTIONS_SHOWN = 20
NOW_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]

index_option = click.option(
    "--index",
    "index_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default="index",
    show_default=True,
    envvar="MORGUE_INDEX",
    help="Index folder (or set MORGUE_INDEX).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="morgue")
def cli():
    """Search a pile of news articles by words, by who is mentioned, by when.

    \b
    Start with:
      morgue reindex corpus/          build the index from a folder of articles
      morgue query "flood barrier"    search it from the terminal
      morgue serve                    search it in the browser
    """


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@index_option
@click.option("--full", is_flag=True, help="Rebuild everything instead of only what changed.")
@click.option("--now", type=click.DateTime(NOW_FORMATS), metavar="DATETIME", help='Reference time for "3 hours ago" on scraped pages (default: each file\'s modification time).')
@click.option("--csv-columns", metavar="NAMES", help="Column names for CSV files without a header row, e.g. category,title,body.")
@click.option("--strict", is_flag=True, help="Exit with status 1 when any input is rejected.")
@click.option("--quiet", "-q", is_flag=True, help="No progress, only the summary.")
def reindex(paths, index_dir, full, now, csv_columns, strict, quiet):
    """Build or update the index from PATHS (files or folders, walked recursively).

    Reads text (headline + body, or a scraped page with related stories), JSON and
    JSON Lines, CSV/TSV, HTML pages, RSS/Atom feeds and Reuters SGML, gzipped or not;
    the content decides the format. Only new and changed files are read again;
    articles of deleted files are removed. Without PATHS, reindexes the paths of the last run. Every input ends up
    new, updated, unchanged, duplicate or rejected with its reason: the full list is
    written to reindex-log.json in the index folder.

    \b
    Examples:
      morgue reindex corpus/ --index index/
      morgue reindex --full --strict
      morgue reindex ag-news/test.csv --csv-columns category,title,body
    """
    if not paths:
        paths = tuple(Path(p) for p in read_meta(index_dir).get("paths", []))
        gone = [str(p) for p in paths if not p.exists()]
        if gone:
            verb = "exists" if len(gone) == 1 else "exist"
            raise click.UsageError(f"The last run's {', '.join(gone)} no longer {verb}: name the files or "
                                   "folders to index, e.g. `morgue reindex corpus/`.")
    if not paths:
        raise click.UsageError("Name the files or folders to index, e.g. `morgue reindex corpus/`.")
    try:
        with Progress(quiet) as progress:
            columns = tuple(c.strip() for c in csv_columns.split(",")) if csv_columns else None
            report = search.reindex(paths, index_dir, now=now, full=full, progress=progress, csv_columns=columns)
    except search.ReindexRunning as error:
        raise click.ClickException(str(error)) from None
    except WorkerFailed as error:
        raise click.ClickException(f"Stopped: {error}; the index is as it was before this reindex. "
                                   "Please report this with the command you ran.") from None
    except KeyboardInterrupt:
        raise click.ClickException("Stopped: the index is as it was before this reindex.") from None
    except OSError as error:  # writing the index failed: a full disk, a folder it may not write to
        raise click.ClickException(f"Stopped: could not write the index in {index_dir}/ ({error.strerror or error}). "
                                   "Make room or fix the folder, then run the reindex again: "
                                   "it finishes the job.") from None
    _print_report(report, index_dir)
    if strict and report.rejected:
        raise click.exceptions.Exit(1)


def _print_report(report, index_dir: Path) -> None:
    counts = report.counts()
    click.echo(
        f"{report.files} files in {report.seconds:.1f} s: {counts['new']} new, {counts['updated']} updated, "
        f"{counts['unchanged']} unchanged, {counts['removed']} removed, {counts['duplicates']} duplicates, "
        f"{counts['rejected']} rejected."
    )
    for path, reason in report.rejected[:REJECTIONS_SHOWN]:
        click.echo(f"  rejected {path}: {reason}")
    if len(report.rejected) > REJECTIONS_SHOWN:
        click.echo(f"  ... and {len(report.rejected) - REJECTIONS_SHOWN} more: see {index_dir}/reindex-log.json")


def _size(count: float) -> str:
    """Bytes for a person: "840 KB", "12.3 MB"."""
    return f"{count / 1e6:.1f} MB" if count >= 1e6 else f"{count / 1e3:.0f} KB"


class Progress:
    """A bar with rate and time left on a terminal; a log line every few seconds elsewhere.
    It follows the bytes of the input files read (unchanged files count as read at once):
    a large file read in parts moves it as its parts are read."""

    LOG_EVERY = 5.0

    def __init__(self, quiet: bool):
        self.quiet, self.bar, self.done = quiet, None, 0
        self.started = self.logged = time.monotonic()

    def __enter__(self):
        return self

    def __call__(self, done: int, total: int) -> None:
        if self.quiet:
            return
        now = time.monotonic()
        rate = f"{_size(done / max(now - self.started, 1e-9))}/s"
        if not sys.stdout.isatty():
            if now - self.logged >= self.LOG_EVERY or done == total:
                click.echo(f"  {_size(done)} of {_size(total)} read ({rate})")
                self.logged = now
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="Indexing", show_percent=True, show_eta=True,
                                         item_show_func=lambda shown: shown)
            self.bar.__enter__()
        self.bar.update(done - self.done, rate)
        self.done = done

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)


@cli.command()
@click.argument("text")
@index_option
@click.option("--limit", "-n", default=10, show_default=True, type=click.IntRange(1, 100), help="Results per page.")
@click.option("--page", default=1, show_default=True, type=click.IntRange(1), help="Page of results.")
@click.option("--source", help="Only articles from this source.")
@click.option("--person", help='Only articles that mention this person, e.g. "Vladimir Putin".')
@click.option("--from", "date_from", metavar="DATE", help='Published on or after DATE: YYYY, YYYY-MM, YYYY-MM-DD, or "last week", "past 30 days"...')
@click.option("--to", "date_to", metavar="DATE", help="Published on or before DATE.")
@click.option("--sort", type=click.Choice(list(search.SORTS)), default="relevance", show_default=True)
@click.option("--recency", metavar="HALF-LIFE", help="Favour recent articles: a score halves every HALF-LIFE (7d, 2w, 6m, 1y).")
@click.option("--explain", is_flag=True, help="Show why each hit ranked: per-word and per-field scores, and the decay.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
def query(text, index_dir, limit, page, source, person, date_from, date_to, sort, recency, explain, as_json):
    """Search the index for TEXT.

    Words are ORed, articles matching more of them rank higher. Syntax: "exact phrase",
    AND / OR / NOT, title:word, person:"Vladimir Putin", source:bbc, date:2024-07
    (dates mentioned), published:[2024-01 to 2024-06].

    \b
    Examples:
      morgue query "Taliban recognition"
      morgue query ceasefire --person "Donald Trump" --sort newest
      morgue query 'title:harbour NOT flood' --from 2024 --json
    """
    try:
        result = search.search(
            index_dir, text, source=source, person=person, date_from=date_from,
            date_to=date_to, sort=sort, page=page, page_size=limit, recency=recency, explain=explain,
        )
    except (search.IndexProblem, search.QueryError) as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        return
    _print_result(result)


def _print_result(result) -> None:
    shown = f"{len(result.hits) and (result.page - 1) * result.page_size + 1}-{(result.page - 1) * result.page_size + len(result.hits)}"
    click.echo(f"{result.total} result{'' if result.total == 1 else 's'} for {result.query!r} (showing {shown}, {result.took_ms:.0f} ms)\n")
    if result.notice:
        click.secho(result.notice + "\n", fg="yellow")
    for rank, hit in enumerate(result.hits, start=(result.page - 1) * result.page_size + 1):
        click.secho(f"{rank}. {hit.title}", bold=True)
        date = (hit.published or "")[:10] + (" (file date)" if hit.published_guess else "")
        click.echo("   " + " · ".join(x for x in (hit.source, date, f"score {hit.score:.2f}", hit.id) if x))
        if hit.people:
            click.echo(f"   People: {', '.join(hit.people)}")
        click.echo(f"   {_terminal_snippet(hit.snippet)}")
        if hit.explanation:
            _print_explanation(hit.explanation)
        click.echo()


def _print_explanation(why: dict) -> None:
    """Each query word's share of the score, by field, then the recency factor."""
    for part in why["parts"]:
        fields = ", ".join(f"{name} {score:.2f}" for name, score in part["fields"].items() if score)
        click.echo(f"   why: {part['query']} {part['score']:.2f} ({fields})")
    if why.get("recency"):
        decay = why["recency"]
        click.echo(f"   why: recency x{decay['factor']:.2f} ({decay['age_days']:.0f} days old, half-life {decay['half_life_days']:g} days)")


def _terminal_snippet(snippet: str) -> str:
    """The HTML snippet for a terminal: highlights in bold (plain text when piped)."""
    text = MARK.sub(lambda m: click.style(m.group(1), bold=True, underline=True), snippet)
    return " ".join(html.unescape(text).split())


@cli.command()
@index_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option("--workers", default=os.cpu_count() or 1, show_default="one per core", type=click.IntRange(1, 64),
              help="Server processes: Python runs one thread at a time in each.")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64), help="Requests each process serves at once.")
@click.option("--debug", is_flag=True, help="Flask's development server, with reloading and tracebacks: never in production.")
def serve(index_dir, host, port, workers, threads, debug):
    """Serve the search page, article pages and the JSON API over HTTP.

    Runs gunicorn with worker processes and threads, and logs one line per request. A
    reindex while it runs is picked up at its commit, without a restart.

    \b
    Example:
      morgue serve --index index/ --port 8080
    """
    from web import create_app

    try:
        search.open_index(index_dir)
    except search.IndexProblem as error:
        raise click.ClickException(str(error)) from None
    app = create_app({"MORGUE_INDEX": str(index_dir)})
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    click.echo(f"Serving {index_dir}/ on http://{host}:{port}/ (Ctrl-C to stop)")
    if debug:
        app.run(host=host, port=port, debug=True)
        return
    from web.server import Server

    Server(app, host, port, workers, threads).run()


@cli.command()
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print the statistics as JSON.")
def stats(index_dir, as_json):
    """Tell what is in the index: articles, sources, dates, the last reindex."""
    try:
        info = search.index_stats(index_dir)
    except search.IndexProblem as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False, indent=2))
        return
    click.echo(f"{info['articles']} articles in {info['index']}/, built {info['built']}")
    span = info["published"]
    click.echo(f"Published: {span['min'] or '?'} to {span['max'] or '?'}")
    click.echo("Sources:")
    for name, count in info["sources"].items():
        click.echo(f"  {count:>7}  {name}")
