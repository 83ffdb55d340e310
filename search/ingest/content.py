"""What a file holds, decided from its bytes as well as its name: gzip is unpacked, text is
decoded, and the format is sniffed from the first bytes.

Names lie (a `.txt` saved from a browser is HTML, an export called `data` is JSON Lines),
so a clear signature in the content wins over the extension; the extension decides only
when the content has no signature (plain text, CSV).
"""
from __future__ import annotations

import json
import os
import re
import zlib
from collections.abc import Iterable, Iterator

MAX_BYTES = 512 * 1024 * 1024  # a bigger file, or a gzip that unpacks to more, is refused
GZIP_MAGIC = b"\x1f\x8b"
PIECE_BYTES = 1024 * 1024  # a gzip is unpacked this much at a time: one that unpacks to gigabytes stops early
SNIFF_BYTES = 4096

# Extension -> format, used when the content has no signature of its own.
EXTENSIONS = {
    "": "text", ".txt": "text", ".text": "text",
    ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".csv": "csv", ".tsv": "csv",
    ".html": "html", ".htm": "html", ".xhtml": "html", ".shtml": "html",
    ".rss": "feed", ".atom": "feed", ".xml": "feed",
    ".sgm": "reuters", ".sgml": "reuters",
}
_HTML_START = re.compile(rb"<(!doctype\s+html|html|head|body|meta|title)[\s>]", re.IGNORECASE)
_FEED_ROOT = re.compile(rb"<(rss|feed|rdf:rdf)[\s>]", re.IGNORECASE)
_REUTERS = re.compile(rb"<(!doctype\s+lewis|reuters)[\s>]", re.IGNORECASE)
_JSON_START = re.compile(rb'[\[{]\s*(["{\[\]}]|$)')
_LEADING_SPACE = re.compile(rb"[\xef\xbb\xbf \t\r\n]*")
_NOT_SPACE = re.compile(rb"[^ \t\n\r\x0b\x0c]")  # what bytes.strip() keeps
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_SURROGATE = re.compile("[\udc80-\udcff]+")


class IngestError(ValueError):
    """A file that cannot become articles; the message is the reason shown to the user."""


def unpack(data: bytes, name: str) -> tuple[bytes, str, list[str]]:
    """Gzip (by its magic bytes, whatever the name) -> the bytes inside and the name without
    `.gz`; a truncated or corrupt gzip keeps what could be read and says what was lost."""
    if not data.startswith(GZIP_MAGIC):
        return data, name, []
    out, problems = [], []
    try:
        for piece in inflate((data,)):
            out.append(piece)
    except zlib.error as error:
        problems.append(f"corrupt gzip data after {sum(map(len, out)):,} bytes ({error}): the rest of the file is lost")
    except EOFError:
        problems.append(f"truncated gzip: read the first {sum(map(len, out)):,} bytes, the rest of the file is lost")
    if problems and not out:
        raise IngestError("unreadable: a gzip file with nothing readable in it (truncated or corrupt)")
    return b"".join(out), unpacked_name(name), problems


def unpacked_name(name: str) -> str:
    return name[:-3] if name.lower().endswith(".gz") else name


def gzip_size(fd: int, size: int) -> int:
    """What an open gzipped file of `size` bytes says it unpacks to (its trailer: the last
    member's size, modulo 4 GB), read without moving the file's position."""
    return int.from_bytes(os.pread(fd, 4, max(0, size - 4)), "little")


def inflate(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The bytes inside a gzip given in chunks, member after member (a .gz may hold several,
    one after another; bytes after the last are left out), a piece of at most PIECE_BYTES at
    a time. Raises zlib.error for corrupt data, EOFError when the gzip is cut short, and
    IngestError past MAX_BYTES."""
    unzip, fed, size = zlib.decompressobj(wbits=31), False, 0
    for chunk in chunks:
        while chunk:
            piece = unzip.decompress(chunk, PIECE_BYTES)
            fed, size = True, size + len(piece)
            if size > MAX_BYTES:
                raise IngestError(f"too large: unpacks to more than {MAX_BYTES >> 20} MB; split it into smaller files")
            if piece:
                yield piece
            if not unzip.eof:
                chunk = unzip.unconsumed_tail
                continue
            chunk, unzip, fed = unzip.unused_data, zlib.decompressobj(wbits=31), False
            if not GZIP_MAGIC.startswith(chunk[:2]):  # not another member
                return
    if fed and not unzip.eof:
        raise EOFError("truncated gzip")


def sniff(data: bytes, suffix: str) -> str:
    """The format of the content: a signature in the first bytes, else the extension.

    Raises IngestError for an extension that names no format we read and content that
    shows none either.
    """
    head = data[:SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")):  # UTF-16/32: sniff its ASCII skeleton
        head = head.replace(b"\x00", b"").lstrip(b"\xff\xfe \t\r\n")
    by_name = EXTENSIONS.get(suffix.lower())
    found = _signature(head, data)
    if found == "json" and by_name == "jsonl":
        return by_name  # JSON Lines whose first line is broken: the other lines still count
    if found:
        return found
    if by_name in ("feed", "reuters") and head.startswith(b"<"):
        return by_name  # an RSS or SGML file whose root we did not recognise: its reader says why
    if by_name is None or by_name == "feed":
        known = " ".join(sorted(e for e in EXTENSIONS if e))
        raise IngestError(f"unsupported file type {suffix or '(none)'!r}: morgue reads {known} and the same gzipped")
    return by_name


def _signature(head: bytes, data: bytes) -> str | None:
    """The format a file's first bytes declare, if any."""
    if head.startswith(b"<"):
        lower = head.lower()
        if _REUTERS.match(lower):
            return "reuters"
        if _HTML_START.match(lower) or (lower.startswith((b"<?xml", b"<!--")) and b"<html" in lower):
            return "html"
        if _FEED_ROOT.search(lower[:1024]):
            return "feed"
        return None
    if _JSON_START.match(head):
        return "jsonl" if _is_json_lines(data) else "json"
    return None


def _is_json_lines(data: bytes) -> bool:
    """A first line that is a whole JSON value, followed by more lines: JSON Lines.
    Only the first line is copied: a JSON file can be hundreds of MB."""
    start = _LEADING_SPACE.match(data).end()
    end = data.find(b"\n", start)
    if end < 0 or not _NOT_SPACE.search(data, end):
        return False
    try:
        json.loads(data[start:end])
    except ValueError:
        return False
    return True


def decode(data: bytes, html: bool = False) -> str:
    """Bytes to text with "\\n" line ends: a BOM or (for HTML) a declared charset first, else
    UTF-8, with any byte that is not valid UTF-8 read as Windows-1252 (Latin-1 for the
    five bytes that has no letter for). Mixed files, UTF-8 with a stray Latin-1 byte, lose nothing.
    """
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        text = data.decode("utf-32", errors="replace")
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
    else:
        if b"\x00" in data[:SNIFF_BYTES]:
            raise IngestError("not text (binary data)")
        text = _declared(data) if html else None
        if text is None:
            text = _utf8_or_cp1252(data.removeprefix(b"\xef\xbb\xbf"))
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _declared(data: bytes) -> str | None:
    """HTML in the charset its <meta> declares, when that is a charset Python knows."""
    match = _CHARSET.search(data[:SNIFF_BYTES])
    charset = match.group(1).decode("ascii", "ignore").lower() if match else ""
    if not charset or charset.replace("-", "").replace("_", "") in ("utf8", "usascii", "ascii", "iso88591", "windows1252"):
        return None  # our default reading covers these, and is kinder to a wrong declaration
    try:
        return data.decode(charset, errors="replace")
    except LookupError:
        return None


def _utf8_or_cp1252(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="surrogateescape")
        return _SURROGATE.sub(_cp1252, text)


def _cp1252(match: re.Match) -> str:
    """Stray bytes (escaped as surrogates) one by one as Windows-1252, else Latin-1."""
    stray = (bytes([ord(c) - 0xDC00]) for c in match.group())
    return "".join(b.decode("cp1252", errors="ignore") or b.decode("latin-1") for b in stray)
