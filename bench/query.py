"""Query benchmark: morgue's search API against plain Whoosh and SQLite FTS5 on news50k,
then HTTP load on `morgue serve`, idle and during a full reindex.

    python bench/query.py                      # builds news50k indexes in a temp folder
    python bench/query.py --work /tmp/qbench   # keeps (and reuses) them there
    python bench/query.py --skip-http

300 queries (1-3 words and quoted phrases, drawn with a fixed seed from headlines), top 10
with snippets, after a warm-up: each engine first answers 20 other queries, and morgue's
index reads its commonest words as it opens (as `morgue serve` does); the 5 queries drawn
twice are answered from remembered results the second time. The API part's last line is
one JSON object of latencies in milliseconds: {"morgue": {"p50", "p95", "p99"}, "whoosh":
{...}, "fts5": {...}}. The HTTP part runs `morgue serve` as it comes (a worker process per
core) and prints requests/s, errors and latency percentiles with 8 clients for 60 s each:
/api/search with the 300 queries over and over (so recent results are remembered) and with
distinct queries, and the search page /, idle, then /api/search again while
`morgue reindex --full` runs (a reindex for each of the two runs), and last with distinct
queries while one article changes and is reindexed every 10 s (a daily update's commit: the
server moves to it under load). `--skip-api` runs only that.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

from whoosh import fields, index
from whoosh.analysis import StemmingAnalyzer
from whoosh.qparser import MultifieldParser, OrGroup
from whoosh.scoring import BM25F

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reindex import CORPORA, documents, prepare  # noqa: E402

import search  # noqa: E402

QUERIES = 300
WARMUP = 20  # further queries answered before the timed ones
CLIENTS = 8
HTTP_SECONDS = 60
DISTINCT = 50_000  # queries drawn for the runs that should not repeat one
DAILY_EVERY = 10  # seconds between the one-article reindexes of the last HTTP run
SETTLE_SECONDS = 20  # of load before it, unmeasured: the full rebuild before it commits cold


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    pick = lambda q: round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 2)  # noqa: E731
    return {"p50": pick(0.50), "p95": pick(0.95), "p99": pick(0.99)}


def draw_queries(titles: list[str], count: int = QUERIES) -> list[str]:
    """1-3 words of a headline, a quarter of them as quoted phrases, reproducibly."""
    rng = random.Random(20261128)
    queries = []
    while len(queries) < count:
        words = re.findall(r"[A-Za-z]{3,}", rng.choice(titles))
        if len(words) < 3:
            continue
        size = rng.randint(1, 3)
        start = rng.randrange(0, len(words) - size + 1)
        text = " ".join(words[start : start + size])
        queries.append(f'"{text}"' if size > 1 and rng.random() < 0.25 else text)
    return queries


def build_whoosh(docs, folder: Path):
    if index.exists_in(folder):
        return index.open_dir(folder)
    folder.mkdir(parents=True, exist_ok=True)
    schema = fields.Schema(
        title=fields.TEXT(analyzer=StemmingAnalyzer(), field_boost=2.0, stored=True),
        body=fields.TEXT(analyzer=StemmingAnalyzer(), stored=True),
    )
    ix = index.create_in(folder, schema)
    with ix.writer(limitmb=256) as writer:
        for title, body in docs:
            writer.add_document(title=title, body=body)
    return ix


def build_fts5(docs, path: Path) -> sqlite3.Connection:
    fresh = not path.exists()
    db = sqlite3.connect(path, check_same_thread=False)
    if fresh:
        db.execute("CREATE VIRTUAL TABLE docs USING fts5(title, body, tokenize='porter unicode61')")
        db.executemany("INSERT INTO docs VALUES (?, ?)", docs)
        db.commit()
    return db


def fts5_query(text: str) -> str:
    """The same OR query for FTS5: quoted phrases stay phrases, words are quoted and ORed."""
    phrases = re.findall(r'"([^"]+)"', text)
    words = re.sub(r'"[^"]+"', " ", text).split()
    return " OR ".join([f'"{p}"' for p in phrases] + [f'"{w}"' for w in words])


def time_each(queries: list[str], warmup: list[str], run) -> list[float]:
    for text in warmup:  # warm caches the way a running server has them warm
        run(text)
    samples = []
    for text in queries:
        started = time.perf_counter()
        run(text)
        samples.append(time.perf_counter() - started)
    return samples


def api_latencies(queries, warmup, morgue_index: Path, whoosh_ix, db) -> dict:
    ix = search.SharedIndex(morgue_index)  # as `morgue serve` holds it: searchers kept open
    ix.warmed.wait()  # timed as a server is once it has read its commonest words, a few seconds after it starts
    morgue_run = lambda text: search.search(ix, text, page_size=10)  # noqa: E731
    parser = MultifieldParser(["title", "body"], whoosh_ix.schema, group=OrGroup)
    searcher = whoosh_ix.searcher(weighting=BM25F())

    def whoosh_run(text):
        results = searcher.search(parser.parse(text), limit=10)
        return [(hit["title"], hit.highlights("body")) for hit in results]

    sql = ("SELECT title, snippet(docs, 1, '<mark>', '</mark>', '…', 24) FROM docs "
           "WHERE docs MATCH ? ORDER BY bm25(docs, 2.0, 1.0) LIMIT 10")
    fts5_run = lambda text: db.execute(sql, (fts5_query(text),)).fetchall()  # noqa: E731
    return {name: percentiles(time_each(queries, warmup, run))
            for name, run in (("morgue", morgue_run), ("whoosh", whoosh_run), ("fts5", fts5_run))}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def load(base: str, path: str, queries: list[str], seconds: float) -> dict:
    """CLIENTS clients requesting path?q=... back to back on 127.0.0.1 for a bounded time:
    wrk when it is installed (it leaves the cores to the server), else Python threads."""
    urls = [f"{path}?q={urllib.parse.quote(q)}" for q in queries]
    return wrk_load(base, urls, seconds) if shutil.which("wrk") else python_load(base, urls, seconds)


WRK_SCRIPT = """
local paths, n = {}, 0
for line in io.lines(os.getenv("MORGUE_PATHS")) do paths[#paths + 1] = line end
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('RESULT {"requests": %d, "errors": %d, "non_2xx": %d, "p50": %.2f, "p95": %.2f, "p99": %.2f}\\n',
    summary.requests, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""


def wrk_load(base: str, urls: list[str], seconds: float) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        script, paths = Path(folder) / "load.lua", Path(folder) / "paths.txt"
        script.write_text(WRK_SCRIPT)
        paths.write_text("\n".join(urls) + "\n")
        out = subprocess.run(["wrk", "-t2", f"-c{CLIENTS}", f"-d{int(seconds)}s", "--timeout", "30s", "-s", str(script), base],
                             capture_output=True, text=True, env={**os.environ, "MORGUE_PATHS": str(paths)}, check=True).stdout
    row = json.loads(out.split("RESULT ", 1)[1].splitlines()[0])
    errors = row.pop("errors") + row.pop("non_2xx")
    return {"requests_per_s": round(row.pop("requests") / seconds, 1), "errors": errors, "client": "wrk", **row}


def python_load(base: str, urls: list[str], seconds: float) -> dict:
    deadline = time.monotonic() + seconds
    latencies, errors, lock = [], [0], threading.Lock()

    def client(offset: int) -> None:
        n = offset
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(base + urls[n % len(urls)], timeout=30) as response:
                    response.read()
                    ok = response.status == 200
            except Exception:
                ok = False
            with lock:
                latencies.append(time.perf_counter() - started)
                errors[0] += not ok
            n += CLIENTS

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"requests_per_s": round(len(latencies) / seconds, 1), "errors": errors[0], "client": "python",
            **percentiles(latencies)}


def http_benchmark(morgue_index: Path, inputs: list[Path], titles: list[str], seconds: float) -> dict:
    queries = draw_queries(titles)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "search", "serve", "--index", str(morgue_index), "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):  # its workers warm the index before they answer
            try:
                urllib.request.urlopen(base + "/", timeout=1)
                break
            except Exception:
                time.sleep(0.1)
        distinct = draw_queries(titles, DISTINCT)  # hardly a query twice: no help from remembered results
        results = {"idle /api/search": load(base, "/api/search", queries, seconds),
                   "idle /api/search, distinct queries": load(base, "/api/search", distinct, seconds),
                   "idle /": load(base, "/", queries, seconds)}
        for name, asked in (("during reindex /api/search", queries),
                            ("during reindex /api/search, distinct queries", distinct[::-1])):
            reindex = subprocess.Popen([sys.executable, "-m", "search", "reindex", *map(str, inputs), "--index",
                                        str(morgue_index), "--full", "-q"], stdout=subprocess.DEVNULL)
            try:
                results[name] = load(base, "/api/search", asked, seconds)  # a reindex of its own: it takes as long
            except BaseException:
                reindex.terminate()  # not left holding the index's lock (a killed reindex leaves it as it was)
                raise
            finally:
                reindex.wait()
        load(base, "/api/search", distinct[1::3], SETTLE_SECONDS)  # unmeasured: the server moves to the rebuild
        stop, updates = threading.Event(), []
        updating = threading.Thread(target=daily_updates, args=(morgue_index, inputs, stop, updates))
        updating.start()
        try:
            row = load(base, "/api/search", distinct[2::3], seconds)
        finally:
            stop.set()
            updating.join()
        if not updates or updates[-1] != "done":
            raise RuntimeError(f"the daily updates failed: {updates[-1] if updates else 'none ran'}")
        results["during daily updates /api/search, distinct queries"] = {**row, "updates": len(updates) - 1}
        return results
    finally:
        server.terminate()
        server.wait()


def daily_updates(morgue_index: Path, inputs: list[Path], stop: threading.Event, updates: list) -> None:
    """A reindex of one changed article every DAILY_EVERY seconds until stopped: what a
    server sees when its archive is updated as news comes in. Appends each summary line
    to `updates`, then "done" (or the error that stopped it)."""
    try:
        changed = next(path for root in inputs for path in sorted(root.rglob("*.txt")))
        while not stop.wait(DAILY_EVERY):
            with open(changed, "a", encoding="latin-1") as out:
                out.write(f"\nA late correction at {time.time():.0f}.")
            summary = subprocess.run([sys.executable, "-m", "search", "reindex", *map(str, inputs), "--index",
                                      str(morgue_index), "-q"], capture_output=True, text=True, check=True).stdout
            updates.append(summary.splitlines()[0])
        updates.append("done")
    except Exception as error:  # noqa: BLE001 - reported by the run that needs it
        updates.append(repr(error))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, help="folder for the inputs and indexes (kept and reused)")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--skip-api", action="store_true", help="only the HTTP part")
    parser.add_argument("--seconds", type=float, default=HTTP_SECONDS)
    args = parser.parse_args()
    if not CORPORA.exists():
        sys.exit(f"{CORPORA} is missing: this benchmark needs ../shared/corpora")
    work = args.work or Path(__import__("tempfile").mkdtemp(prefix="morgue-qbench-"))
    inputs = sorted(p for p in (work / "news50k").glob("*") if p.is_dir()) if (work / "news50k").exists() else None
    if not inputs:
        (work / "news50k").mkdir(parents=True, exist_ok=True)
        inputs = prepare(work / "news50k", 1)
    docs = list(documents(inputs))
    morgue_index = work / "morgue-index"
    if not (morgue_index / "morgue.json").exists():
        subprocess.run([sys.executable, "-m", "search", "reindex", *map(str, inputs), "--index", str(morgue_index), "-q"], check=True)
    whoosh_ix = build_whoosh(docs, work / "whoosh-index")
    db = build_fts5(docs, work / "fts5.db")
    queries = draw_queries([title for title, _ in docs], QUERIES + WARMUP)
    latencies = {} if args.skip_api else api_latencies(queries[:QUERIES], queries[QUERIES:], morgue_index, whoosh_ix, db)
    for name, row in latencies.items():
        print(f"{name:>7}: p50 {row['p50']} ms, p95 {row['p95']} ms, p99 {row['p99']} ms", flush=True)
    if not args.skip_http:
        for name, row in http_benchmark(morgue_index, inputs, [title for title, _ in docs], args.seconds).items():
            print(f"HTTP {name}: {json.dumps(row)}", flush=True)
    print(json.dumps(latencies))


if __name__ == "__main__":
    main()
