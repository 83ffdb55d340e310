"""Scores search.extract's people finder against CoNLL-2003 PER tags (and Reuters-21578 <PEOPLE>).

    python bench/eval_people.py /work/shared/corpora/conll2003/eng.testa
    python bench/eval_people.py FILE --reuters /work/shared/corpora/reuters21578/jsonl
    python bench/eval_people.py FILE --show 40        # also list missed and spurious names

Each CoNLL document (split at -DOCSTART-) is turned back into plain text, one sentence a line,
and given to `find_person_spans`; a predicted name counts only when its span equals a gold PER
entity exactly. `doc_f1` scores the distinct names (lower-cased) per document instead, which is
what the index stores. `tokens_per_s` is CoNLL tokens per second of CPU time (one core) over
the whole file, best of three passes after the scoring pass. `--reuters` adds the share of
Reuters-21578 <PEOPLE> tags whose surname is a word of a name found in that story.
The last line printed is one JSON object with the scores.
"""
from __future__ import annotations

import argparse
import gc
import gzip
import json
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from search.extract import find_people, find_person_spans  # noqa: E402

NO_SPACE_BEFORE = {",", ".", ";", ":", "!", "?", ")", "]", "}", "'", "'s", "'S", "n't", "N'T", "'re", "'ve", "'ll",
                   "'d", "'m"}
NO_SPACE_AFTER = {"(", "[", "{", "$"}


def read_conll(path: Path) -> list[list[list[tuple[str, str]]]]:
    """Documents -> sentences -> (token, NER tag)."""
    docs: list[list[list[tuple[str, str]]]] = []
    sentence: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if not parts:
            if sentence and docs:
                docs[-1].append(sentence)
            sentence = []
        elif parts[0] == "-DOCSTART-":
            docs.append([])
        else:
            sentence.append((parts[0], parts[-1]))
    if sentence and docs:
        docs[-1].append(sentence)
    return docs


def detokenize(doc: list[list[tuple[str, str]]]) -> tuple[str, list[tuple[int, int]]]:
    """Plain text of a document and each token's (start, end) in it.

    Penn-style splits are undone ("Putin 's" -> "Putin's", "( U.S. )" -> "(U.S.)") so the
    extractor sees text as a news site would print it.
    """
    out: list[str] = []
    offsets: list[tuple[int, int]] = []
    pos = 0
    for sentence in doc:
        if out:
            out.append("\n")
            pos += 1
        glue, quote_open = True, False
        for token, _ in sentence:
            closing_quote = token == '"' and quote_open
            if not glue and token not in NO_SPACE_BEFORE and not closing_quote:
                out.append(" ")
                pos += 1
            offsets.append((pos, pos + len(token)))
            out.append(token)
            pos += len(token)
            glue = token in NO_SPACE_AFTER or (token == '"' and not quote_open)
            if token == '"':
                quote_open = not quote_open
    return "".join(out), offsets


def gold_spans(doc: list[list[tuple[str, str]]], offsets: list[tuple[int, int]]) -> set[tuple[int, int]]:
    """Character spans of the PER entities (IOB1: B- only where two entities touch)."""
    tags = [tag for sentence in doc for _, tag in sentence]
    spans, start = set(), None
    for i, tag in enumerate(tags + ["O"]):
        inside = tag.endswith("-PER") and not tag.startswith("B-")
        if start is not None and not inside:
            spans.add((offsets[start][0], offsets[i - 1][1]))
            start = None
        if tag.endswith("-PER") and start is None:
            start = i
        elif tag.startswith("B-PER"):
            start = i
    return spans


def f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def score_conll(path: Path, show: int) -> dict:
    """Exact-span and per-document scores over every document of a CoNLL file, and the speed."""
    texts = [(doc, *detokenize(doc)) for doc in read_conll(path)]
    counts, doc_counts = Counter(), Counter()
    missed, spurious = Counter(), Counter()
    for doc, text, offsets in texts:
        predicted = {(s, e) for s, e, _ in find_person_spans(text)}
        gold = gold_spans(doc, offsets)
        counts.update(tp=len(gold & predicted), fp=len(predicted - gold), fn=len(gold - predicted))
        missed.update(text[s:e] for s, e in gold - predicted)
        spurious.update(text[s:e] for s, e in predicted - gold)
        gold_names = {text[s:e].lower() for s, e in gold}
        found_names = {text[s:e].lower() for s, e in predicted}
        doc_counts.update(tp=len(gold_names & found_names), fp=len(found_names - gold_names),
                          fn=len(gold_names - found_names))
    if show:
        print("missed:", missed.most_common(show))
        print("spurious:", spurious.most_common(show))
    p, r, f = f1(counts["tp"], counts["fp"], counts["fn"])
    doc_f1 = f1(doc_counts["tp"], doc_counts["fp"], doc_counts["fn"])[2]
    tokens = sum(len(offsets) for _, _, offsets in texts)
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "doc_f1": round(doc_f1, 4),
            "tokens_per_s": round(tokens / _cpu_seconds([text for _, text, _ in texts]))}


def _cpu_seconds(texts: list[str]) -> float:
    """CPU time (this process, one core) of one pass of find_person_spans over all texts.

    Timed after the scoring pass, so word lists are loaded and caches warm, as in a running
    indexer; the best of three passes, since other processes on the machine add noise.
    """
    gc.collect()
    gc.freeze()  # the corpus in memory is ours, not the extractor's: keep the collector off it
    best = float("inf")
    for _ in range(3):
        began = time.process_time()
        for text in texts:
            find_person_spans(text)
        best = min(best, time.process_time() - began)
    return best or 1e-9


def reuters_recall(folder: Path) -> dict:
    """Share of <PEOPLE> tags ("reagan", "james-baker") whose surname is among the names found."""
    tagged = found = 0
    for path in sorted(folder.glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for line in lines:
                story = json.loads(line)
                if not story.get("people"):
                    continue
                words = {w.lower() for name in find_people(story.get("title") or "", story.get("body") or "")
                         for w in name.split()}
                for tag in story["people"]:
                    tagged += 1
                    found += tag.split("-")[-1] in words
    return {"reuters_people": tagged, "reuters_recall": round(found / tagged, 4) if tagged else 0.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("conll", type=Path, help="CoNLL-2003 file, e.g. eng.testa")
    parser.add_argument("--reuters", type=Path, help="folder of reuters21578-*.jsonl.gz: also report <PEOPLE> recall")
    parser.add_argument("--show", type=int, default=0, help="list the N most frequent missed and spurious names")
    args = parser.parse_args()
    result = score_conll(args.conll, args.show)
    if args.reuters:
        result |= reuters_recall(args.reuters)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
