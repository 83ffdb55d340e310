"""CSV and TSV articles: a header row names the columns, or `--csv-columns` does.

Column names map to article fields as JSON's do (fields.py). Exports from crawlers often
carry their own escaping inside the cells; two kinds are undone here, decided per file:
C-style escapes (`\\n`, `\\t`), and a lone backslash for a line break with `&` dropped from
entities (`#39;`, ` quot;`), as in the AG News CSV. Rows are numbered as a spreadsheet
shows them, the header being row 1, so "CSV row 12" is the row a user finds at 12.
"""
from __future__ import annotations

import csv
import html
import io
import re

from search.ingest.content import MAX_BYTES, IngestError
from search.ingest.fields import FIELD_NAMES, article_from, field_of
from search.model import Article

DELIMITERS = (",", "\t", ";", "|")
# The csv module stops at a cell of more than 128 KB (a long article does that) and goes
# on from inside it, making rows of its text: the limit is the largest file read.
csv.field_size_limit(MAX_BYTES)
TEXT_FIELDS = ("title", "body")
JUDGED_CHARS = 64 * 1024  # a file's header, separator and escaping are judged on its first characters
_BACKSLASH = re.compile(r"\\(.?)", re.DOTALL)
_C_ESCAPES = {"n": "\n", "t": "\t", "r": "", "\\": "\\", '"': '"', "'": "'"}
# "doesn #39;t", "In  quot;helping": the crawler turned each entity's "&" into a space.
_LOST_AMPERSAND = re.compile(r"(?:^| )(#\d{2,5}|#x[0-9a-fA-F]{2,4}|quot|amp|lt|gt|apos|nbsp);")
_MARKUP = re.compile(r"</?(?:a|b|i|u|p|br|nobr|font|strong|em|span|div|img|li|ul|ol|h\d|sup|sub|tt|pre|blockquote)\b[^<>]{0,300}>",
                     re.IGNORECASE)


def read(text: str, source, head: str | None = None, first_row: int = 1) -> tuple[list[Article], list[str]]:
    """Articles in a CSV file; each data row becomes an article or a reason.

    A part of a large file (see record_count) is read as the whole file reads it: `head`
    is the file's first text, which says what its columns are and how they are escaped,
    and `first_row` the number of the part's first row.
    """
    head = (text if head is None else head)[:JUDGED_CHARS]
    delimiter = delimiter_of(source.path, head)
    first = next(_rows(head, delimiter), None)
    if first is None:
        return [], ["empty: no rows"]
    if isinstance(first[1], str):
        raise IngestError(f"CSV row 1: {first[1]}")
    names, has_header = _columns(first[1], source.csv_columns)
    unescape = _unescaper(head)
    articles, problems = [], []
    for number, row in _rows(text, delimiter, first_row):
        if isinstance(row, str):
            problems.append(f"CSV row {number}: {row}")
            continue
        if (number == 1 and has_header) or not any(cell.strip() for cell in row):
            continue  # the header, or a blank line: not a record
        record = {name: unescape(cell) if field_of(name) in TEXT_FIELDS else cell for name, cell in zip(names, row)}
        try:
            articles.append(article_from(record, source, number))
        except ValueError as error:
            problems.append(f"CSV row {number}: {error}")
    return articles, problems


def delimiter_of(path, head: str) -> str:
    """The file's separator: a tab in .tsv and .tab files, else what its first record uses."""
    return "\t" if path.suffix.lower() in (".tsv", ".tab") else _delimiter(head)


def record_count(data: bytes, delimiter: str) -> int | None:
    """The rows in data when it ends where a row ends and every row is well formed; else
    None. A large file is cut where this holds, so that each part reads as in the whole."""
    text = data.decode("latin-1").removeprefix("\xef\xbb\xbf")  # the structure is ASCII; a BOM is no part of it
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        return sum(1 for _ in rows)
    except csv.Error:
        return None


def _delimiter(text: str) -> str:
    """The separator the first record uses most, outside quotes; a comma when none shows.
    Quoted cells go first: one may hold line breaks, and tabs or commas of its own."""
    first_line = re.sub(r'"[^"]*"', "", text[:10_000]).split("\n", 1)[0]
    counts = {d: first_line.count(d) for d in DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _rows(text: str, delimiter: str, first_row: int = 1):
    """(row number, cells) for every record; a record the csv module cannot read comes as
    (row number, reason) and reading goes on after it."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    number = first_row - 1
    while True:
        number += 1
        try:
            yield number, next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield number, f"unreadable ({error})"


def _columns(first: list[str], given: tuple[str, ...] | None) -> tuple[list[str], bool]:
    """The column names, and whether the first row was the header that named them."""
    if any(field_of(cell) in TEXT_FIELDS for cell in first if len(cell) < 40):
        return [cell.strip() for cell in first], True
    if given:
        if not any(field_of(name) in TEXT_FIELDS for name in given):
            known = ", ".join(FIELD_NAMES["title"] + FIELD_NAMES["body"])
            raise IngestError(f"--csv-columns {','.join(given)} names no title or body column (one of: {known})")
        return list(given), False
    raise IngestError(
        "CSV without a header row naming a title or body column: name its columns with "
        "--csv-columns, e.g. --csv-columns category,title,body"
    )


def _unescaper(text: str):
    """The repair for this file's escaping, judged from all of its backslashes at once."""
    escapes = _BACKSLASH.findall(text)
    if not escapes:
        return _entities
    c_style = sum(1 for e in escapes if e in _C_ESCAPES) / len(escapes) > 0.9 and "n" in escapes
    if c_style:
        return lambda cell: _entities(_BACKSLASH.sub(lambda m: _C_ESCAPES.get(m.group(1), m.group()), cell))
    return lambda cell: _entities(_BACKSLASH.sub(_line_break, cell))


def _line_break(match: re.Match) -> str:
    """AG News style: `\\` is a line break, `\\\\` a paragraph break, `\\$` a dollar sign."""
    after = match.group(1)
    if not after:
        return ""  # a break at the very end of the cell
    if after == "\\":
        return "\n\n"
    if not after.isalnum() and not after.isspace():
        return after
    return "\n" + after


def _entities(cell: str) -> str:
    """HTML entities, with or without their `&`, as characters; stray inline tags dropped."""
    if "&" not in cell and ";" not in cell:
        return cell.strip()
    cell = html.unescape(_LOST_AMPERSAND.sub(r"&\1;", cell))
    return _MARKUP.sub("", cell).strip()
