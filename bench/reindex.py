"""Reindex benchmark: plain Whoosh against `morgue reindex --full`, same inputs, one run.

    python bench/reindex.py                    # bbc and news50k
    python bench/reindex.py --sets bbc,news50k,news50k-x4
    python bench/reindex.py --sets news50k --repeat 3   # three pairs of runs, the median ratio

news50k is bbc + the Reuters-21578, AG News and 20 Newsgroups JSON Lines of ../shared/corpora
(50,249 documents); news50k-x4 is four copies of it with new ids and titles. For each set it
prints docs/s of both, the ratio, peak RSS and PSS (the process tree), index size, the no-op reindex
time as a share of the full one, and the time to reindex one changed file. The last line is
one JSON object with every number. This machine's speed drifts by a fifth from minute to
minute, and Whoosh runs for minutes before morgue: a ratio from one pair of runs moves with
it, so `--repeat` runs the pair in turn and reports medians, and each pair.
"""
from __future__ import annotations

import argparse
import gzip
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from statistics import median

from whoosh import fields, index
from whoosh.analysis import StemmingAnalyzer

CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
JSONL = ["reuters21578/jsonl", "ag-news", "20newsgroups"]


def prepare(work: Path, copies: int) -> list[Path]:
    """The input folders: bbc as it is, the .jsonl.gz files unpacked (copies get new ids)."""
    jsonl = work / f"jsonl-x{copies}"
    jsonl.mkdir(parents=True)
    for folder in JSONL:
        for source in sorted((CORPORA / folder).glob("*.jsonl.gz")):
            with gzip.open(source, "rt", encoding="utf-8") as lines, open(jsonl / source.name[:-3], "w") as out:
                for line in lines:
                    for copy in range(copies):
                        item = json.loads(line)
                        if copy:
                            item["id"], item["title"] = f"{item['id']}-copy{copy}", f"{item['title']} (copy {copy})"
                        out.write(json.dumps(item) + "\n")
    paths = [jsonl]
    for copy in range(copies):
        bbc = work / f"bbc-{copy}"
        shutil.copytree(CORPORA / "bbc", bbc, ignore=shutil.ignore_patterns("*.md", "*.TXT"))
        if copy:
            for path in bbc.rglob("*.txt"):
                path.write_text(path.read_text(encoding="latin-1") + f"\n(copy {copy})", encoding="latin-1")
        paths.append(bbc)
    return paths


def documents(paths: list[Path]):
    """Title and body of every input, read the simplest way, for the baseline."""
    for root in paths:
        for path in sorted(root.rglob("*")):
            if path.suffix == ".txt":
                title, _, body = path.read_bytes().decode("utf-8", "replace").partition("\n")
                yield title, body
            elif path.suffix == ".jsonl":
                with open(path, encoding="utf-8") as lines:
                    for line in lines:
                        item = json.loads(line)
                        yield item.get("title") or "", item.get("body") or ""


class PeakRss:
    """Samples a process and its children until stopped: the peak of their summed RSS, and
    of their summed PSS (shared pages counted once, split between the processes sharing them:
    what the tree takes of the machine's memory; summed RSS counts a shared page per process)."""

    def __init__(self, pid: int):
        self.pid, self.peak, self.peak_pss, self.running = pid, 0, 0, True
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _tree(self) -> list[int]:
        pids, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            try:
                children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            except OSError:
                children = []
            todo += map(int, children)
        return pids

    @staticmethod
    def _rss(pid: int) -> int:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        except OSError:
            pass
        return 0

    @staticmethod
    def _pss(pid: int) -> int:
        """Read less often than RSS: the kernel walks the whole address space for it."""
        try:
            lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
        except OSError:
            return 0
        return next((int(line.split()[1]) * 1024 for line in lines if line.startswith("Pss:")), 0)

    def _sample(self) -> None:
        ticks = 0
        while self.running:
            pids = self._tree()
            self.peak = max(self.peak, sum(map(self._rss, pids)))
            if ticks % 20 == 0:
                self.peak_pss = max(self.peak_pss, sum(map(self._pss, pids)))
            ticks += 1
            time.sleep(0.05)

    def stop(self) -> tuple[int, int]:
        self.running = False
        self.thread.join()
        return self.peak, self.peak_pss


def size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def baseline(paths: list[Path], index_dir: Path) -> dict:
    """Plain Whoosh: title and body as TEXT with StemmingAnalyzer, title boost 2, defaults."""
    docs = list(documents(paths))
    schema = fields.Schema(
        title=fields.TEXT(analyzer=StemmingAnalyzer(), field_boost=2.0),
        body=fields.TEXT(analyzer=StemmingAnalyzer()),
    )
    index_dir.mkdir()
    started = time.perf_counter()
    writer = index.create_in(index_dir, schema).writer()
    for title, body in docs:
        writer.add_document(title=title, body=body)
    writer.commit()
    seconds = time.perf_counter() - started
    return {"docs": len(docs), "seconds": round(seconds, 2), "docs_per_s": round(len(docs) / seconds, 1), "index_mb": round(size(index_dir) / 2**20, 1)}


def morgue(paths: list[Path], index_dir: Path, *options: str) -> tuple[float, tuple[int, int], str]:
    """Runs `morgue reindex` as a user would; returns seconds, peak (RSS, PSS) and the summary line."""
    command = [sys.executable, "-m", "search", "reindex", *map(str, paths), "--index", str(index_dir), "-q", *options]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    rss = PeakRss(process.pid)
    out, _ = process.communicate()
    seconds, peak = time.perf_counter() - started, rss.stop()
    if process.returncode:
        sys.exit(f"morgue reindex failed: {out}")
    return seconds, peak, out.splitlines()[0]


def run_set(name: str, paths: list[Path], work: Path, repeat: int = 1) -> dict:
    """Plain Whoosh then `morgue reindex --full`, `repeat` times in turn (each pair back to
    back: this machine's speed drifts from minute to minute), then a no-op and a one-file
    reindex. The ratio is the median of the pairs' ratios; docs/s are medians too."""
    index_dir = work / f"{name}-morgue"
    pairs = []
    for _ in range(repeat):
        shutil.rmtree(work / f"{name}-whoosh", ignore_errors=True)
        plain = baseline(paths, work / f"{name}-whoosh")
        seconds, peak, summary = morgue(paths, index_dir, "--full")
        pairs.append({"whoosh_seconds": plain["seconds"], "morgue_seconds": round(seconds, 2),
                      "whoosh_docs_per_s": plain["docs_per_s"], "morgue_docs_per_s": round(plain["docs"] / seconds, 1),
                      "ratio": round(plain["seconds"] / seconds, 2), "peak": peak})
    noop, _, _ = morgue(paths, index_dir)
    changed = next(paths[-1].rglob("*.txt"))
    changed.write_text(changed.read_text(encoding="latin-1") + "\nA late correction.", encoding="latin-1")
    one_file, _, one_summary = morgue(paths, index_dir)
    seconds = round(median(pair["morgue_seconds"] for pair in pairs), 2)
    peak = max(pair.pop("peak") for pair in pairs)
    result = {
        "whoosh": {**plain, "seconds": round(median(pair["whoosh_seconds"] for pair in pairs), 2),
                   "docs_per_s": round(median(pair["whoosh_docs_per_s"] for pair in pairs), 1)},
        "morgue": {
            "seconds": seconds,
            "docs_per_s": round(median(pair["morgue_docs_per_s"] for pair in pairs), 1),
            "peak_rss_mb": round(peak[0] / 2**20),
            "peak_pss_mb": round(peak[1] / 2**20),
            "index_mb": round(size(index_dir) / 2**20, 1),
            "noop_seconds": round(noop, 2),
            "noop_share": round(noop / seconds, 4),
            "one_changed_file_seconds": round(one_file, 2),
            "summary": summary,
            "one_file_summary": one_summary,
        },
        "ratio": round(median(pair["ratio"] for pair in pairs), 2),
        "pairs": pairs,
    }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", default="bbc,news50k", help="comma-separated: bbc, news50k, news50k-x4")
    parser.add_argument("--repeat", type=int, default=1, help="pairs of runs (Whoosh, then morgue) per set")
    args = parser.parse_args()
    if not CORPORA.exists():
        sys.exit(f"{CORPORA} is missing: this benchmark needs ../shared/corpora")
    results = {}
    with tempfile.TemporaryDirectory(prefix="morgue-bench-") as tmp:
        work = Path(tmp)
        for name in args.sets.split(","):
            folder = work / name
            folder.mkdir()
            if name == "bbc":
                paths = [Path(shutil.copytree(CORPORA / "bbc", folder / "bbc", ignore=shutil.ignore_patterns("*.md", "*.TXT")))]
            else:
                paths = prepare(folder, 4 if name.endswith("x4") else 1)
            results[name] = run_set(name, paths, folder, args.repeat)
            row = results[name]
            pairs = "; pairs " + ", ".join(f"x{pair['ratio']}" for pair in row["pairs"]) if len(row["pairs"]) > 1 else ""
            print(f"{name}: {row['whoosh']['docs']} docs; whoosh {row['whoosh']['docs_per_s']} docs/s, "
                  f"morgue {row['morgue']['docs_per_s']} docs/s (x{row['ratio']}{pairs}), peak RSS "
                  f"{row['morgue']['peak_rss_mb']} MB (PSS {row['morgue']['peak_pss_mb']} MB), index {row['morgue']['index_mb']} MB "
                  f"(whoosh {row['whoosh']['index_mb']} MB), no-op {row['morgue']['noop_share']:.1%}, "
                  f"one file {row['morgue']['one_changed_file_seconds']} s", flush=True)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
