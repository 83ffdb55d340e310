"""How well morgue reads article pages: body text, title, date and author, against the
expected values in ../shared/corpora/html-pages/manifest.jsonl.

Three extractors run on the same pages in the same run:
  morgue     search.ingest.htmlpage.read, what `morgue reindex` does with a page
  reference  trafilatura with its default settings (text and metadata)
  baseline   htmlpage.simple_text, the small lxml heuristic kept as morgue's fallback
Body scores are token-level precision/recall/F1 (lower-cased \\w+ tokens, as bags), averaged
over pages, on the pages whose expected body is complete; goose3's expected bodies are
only prefixes, so there only recall counts. The last line printed is one JSON object.

    python bench/eval_html.py [--corpus ../shared/corpora/html-pages] [--limit N]
"""
from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import trafilatura

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from search.ingest import Source  # noqa: E402
from search.ingest.content import decode  # noqa: E402
from search.ingest.fields import parse_date  # noqa: E402
from search.ingest.htmlmeta import page_meta  # noqa: E402
from search.ingest.htmlpage import parse, read, simple_text  # noqa: E402

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "html-pages"


def tokens(text: str) -> Counter:
    return Counter(re.findall(r"\w+", (text or "").lower()))


def prf(got: str, expected: str) -> tuple[float, float, float]:
    g, e = tokens(got), tokens(expected)
    common = sum((g & e).values())
    p = common / sum(g.values()) if g else 0.0
    r = common / sum(e.values()) if e else 0.0
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def morgue(data: bytes, path: Path) -> dict:
    """The article morgue indexes; for a page it rejects (no text), still its metadata."""
    articles, _ = read(data, Source(path, path.name, datetime.now(), "file time"))
    if articles:
        a = articles[0]
        return {"body": a.body, "title": a.title, "date": a.published, "author": a.author}
    meta = page_meta(parse(decode(data, html=True)))
    return {"body": "", "title": meta.title, "date": meta.published, "author": meta.author}


def reference(data: bytes, path: Path) -> dict:
    doc = trafilatura.bare_extraction(data, with_metadata=True)
    if doc is None:
        return {}
    return {"body": doc.text or "", "title": doc.title or "", "date": parse_date(doc.date), "author": doc.author or ""}


def baseline(data: bytes, path: Path) -> dict:
    return {"body": simple_text(parse(decode(data, html=True)))}


EXTRACTORS = {"morgue": morgue, "reference": reference, "baseline": baseline}


def same_day(got: datetime | None, expected: str) -> bool:
    """True when the dates agree, read either in UTC or in the page's own zone."""
    if got is None:
        return False
    local = re.match(r"\d{4}-\d\d-\d\d", expected)
    return got.date() == (parse_date(expected) or datetime.min).date() or bool(local and got.date().isoformat() == local.group())


def same_authors(got: str, expected: list[str]) -> bool:
    return {a.strip().casefold() for a in got.split(",") if a.strip()} == {a.casefold() for a in expected}


def score(rows: list[dict], corpus: Path) -> dict:
    results = {}
    for name, extract in EXTRACTORS.items():
        full, prefix_recall, titles, dates, authors, seconds = [], [], [], [], [], 0.0
        for row in rows:
            path = corpus / row["path"]
            data = path.read_bytes()
            data = gzip.decompress(data) if row.get("compressed") == "gzip" else data
            started = time.perf_counter()
            got = extract(data, path)
            seconds += time.perf_counter() - started
            expected = row["expected"]
            if "body" in expected and row.get("body_match") == "full":
                full.append(prf(got.get("body", ""), expected["body"]))
            elif "body" in expected:
                prefix_recall.append(prf(got.get("body", ""), expected["body"])[1])
            if "title" in expected and name != "baseline":
                titles.append(" ".join(got.get("title", "").split()) == " ".join(expected["title"].split()))
            if "date" in expected and name != "baseline":
                dates.append(same_day(got.get("date"), expected["date"]))
            if "authors" in expected and name != "baseline":
                authors.append(same_authors(got.get("author", ""), expected["authors"]))
        mean = lambda values: round(sum(values) / len(values), 4) if values else None  # noqa: E731
        results[name] = {
            "precision": mean([p for p, _, _ in full]), "recall": mean([r for _, r, _ in full]),
            "f1": mean([f for _, _, f in full]), "pages": len(full),
            "prefix_recall": mean(prefix_recall), "prefix_pages": len(prefix_recall),
            "title_exact": mean(titles), "date_day": mean(dates), "authors_exact": mean(authors),
            "ms_per_page": round(1000 * seconds / max(len(rows), 1), 1),
        }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages")
    args = parser.parse_args()
    manifest = args.corpus / "manifest.jsonl"
    if not manifest.exists():
        sys.exit(f"No {manifest}: point --corpus at the html-pages folder.")
    rows = [json.loads(line) for line in manifest.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = rows[: args.limit] if args.limit else rows
    results = score(rows, args.corpus)
    print(f"{'':10} {'P':>6} {'R':>6} {'F1':>6} {'prefixR':>8} {'title':>6} {'date':>6} {'author':>6} {'ms/page':>8}")
    for name, r in results.items():
        cells = [r["precision"], r["recall"], r["f1"], r["prefix_recall"], r["title_exact"], r["date_day"], r["authors_exact"]]
        print(f"{name:10} " + " ".join(f"{c:>6.3f}" if c is not None else f"{'-':>6}" for c in cells[:3]),
              f"{cells[3]:>8.3f}", *(f"{c:>6.3f}" if c is not None else f"{'-':>6}" for c in cells[4:]), f"{r['ms_per_page']:>8}")
    ratio = results["morgue"]["f1"] / results["reference"]["f1"] if results["reference"]["f1"] else None
    print(f"morgue F1 / reference F1 = {ratio:.3f}" if ratio else "no reference F1")
    print(json.dumps({"pages": len(rows), "generated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                      "f1_ratio_morgue_to_reference": round(ratio, 4) if ratio else None, **results}))


if __name__ == "__main__":
    main()
