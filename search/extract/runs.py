"""Text -> runs of capitalised words, the raw material of the people rules (people.py).

A run is split at a sentence end ("... met Putin. Trump said") and at a line break unless the
text is hard-wrapped prose, so that a headline and the line under it never make one name.
Each run knows whether it is weak: on a headline (all caps, or Title Case With Common Words)
or a sports table or fixture line, capitals prove nothing, and only names known from elsewhere
count.
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

from search.extract.lexicon import AMBIGUOUS_FIRST, CONNECTORS, SURNAME_WORDS, Lexicon, lexicon


def _char_class(pred) -> str:
    """Regex class body for the BMP letters where pred holds (the re module has no \\p{Lu})."""
    spans: list[list[int]] = []
    for code in range(0x10000):
        if pred(chr(code)):
            if spans and spans[-1][1] == code - 1:
                spans[-1][1] = code
            else:
                spans.append([code, code])
    return "".join(re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "") for a, b in spans)


UP = _char_class(lambda c: c.isupper() or c.istitle())
_LOW = _char_class(str.islower)
_CONNECT = "|".join(sorted(CONNECTORS, key=len, reverse=True))
# One name-like word: initials ("J.", "F.W.", "U.S."), or a capitalised word with inner parts
# ("Jean-Pierre", "O'Neill", "al-Assad", "Kim In-so", "Songo'o"), maybe with a final full stop.
_REST = rf"\w*(?:[-'’][{UP}]\w*|-[{_LOW}]\w*|['’](?!(?:s|ll|re|ve|d|m|t)\b)[{_LOW}]\w*)*\.?"  # after a capital
_WORD = rf"(?:[{UP}]\.){{1,3}}(?!\w)|(?:(?:al|el|d)['’-])?[{UP}]{_REST}"
_SEP = r"(?:[ \t\u00a0]+\n?|\n)[ \t\u00a0]*"
_MORE = rf"(?:{_SEP}(?:(?:{_CONNECT}){_SEP})*(?:{_WORD}))*"  # the run's words after its first
_BOUNDARY = r"(?<![\w'’-])"
# The letters a run can start with (a capital, a connector's first, or "al-", "el-", "d'").
_FIRST = "".join(sorted({word[0] for word in CONNECTORS} | set("aed")))
# A run: words, and connectors before and between them ("Charles de Gaulle", "de la Fuente").
_RUN_RE = re.compile(rf"(?=[{UP}{_FIRST}]){_BOUNDARY}(?:(?:{_CONNECT}){_SEP})*(?:{_WORD}){_MORE}")
# The same runs found from their first capital, or from the hyphen or apostrophe of a prefix
# ("al-Assad", "d'Estaing"), with a third fewer instructions: Python's regex engine skips
# through a text to a pattern's first characters only when the pattern opens with them, and
# _RUN_RE opens with a lookbehind, so its finditer tries every position (a lower-case letter
# may start a run). A run found at a capital that connectors may stand before is looked for
# again from them (_whole_run).
_SPACES = " \t\u00a0\n"  # what a run's words may be separated by (_SEP)
_WS = f"[{_SPACES}]"


def _linked() -> str:
    """A group that matches (empty) when connectors may end right before the capital just
    read: one of them and a space; or a letter one ends with and more spaces (rare)."""
    by_length: dict[int, list[str]] = {}
    for word in sorted(CONNECTORS):
        by_length.setdefault(len(word), []).append(word)
    one_space = [rf"(?<={_BOUNDARY}(?:{'|'.join(words)}){_WS}.)" for words in by_length.values()]
    ends = "".join(sorted({word[-1] for word in CONNECTORS}))
    spaces = [rf"(?<=[{ends}]{_WS}{{{count}}}.)" for count in range(2, 9)] + [rf"(?<={_WS}{{9}}.)"]
    return (rf"(?P<linked>(?<={_WS}.)(?:(?<=[{ends}]{_WS}.)(?:{'|'.join(one_space)})"
            rf"|(?<={_WS}{{2}}.)(?:{'|'.join(spaces)})))?")


_FROM_CAPITAL = re.compile(
    rf"[{UP}\-'’](?:(?<=[{UP}])(?<![\w'’-].){_linked()}(?:\.(?:[{UP}]\.){{0,2}}(?!\w)|{_REST})"
    rf"|(?:(?<={_BOUNDARY}al[-'’])|(?<={_BOUNDARY}el[-'’])|(?<={_BOUNDARY}d[-'’]))(?P<prefixed>)[{UP}]{_REST}){_MORE}"
)
_CONNECTOR_ENDS_HERE = re.compile(rf"{_BOUNDARY}(?:{_CONNECT})\Z")
_LONGEST_CONNECTOR = max(map(len, CONNECTORS))
LOWER_RE = re.compile(f"[{_LOW}]")
_UPPER_RE = re.compile(f"[{UP}]")
_ALPHA_WORD_RE = re.compile(r"[^\W\d_][\w'’-]*")
_DIGITS_RE = re.compile(r"\d+")
INITIAL_RE = re.compile(rf"(?:[{UP}]\.)+")
# A word with one of these dots is an abbreviation, not the end of a sentence.
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st jr sr mt ft no vs co inc corp ltd bros gov gen sen rep lt col capt sgt rev "
    "adm maj cmdr supt det insp jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
# Titles that in lower case are mostly other words: "a major Hong Kong company", "to miss Wimbledon".
_ADJECTIVES = frozenset({"major", "general", "crown", "chief", "executive", "sister", "brother", "miss"})
# Cricket scorecards: "c Knight b Hollioake", "lbw b Mushtaq", "st Moin Khan".
_SCORECARD = frozenset({"b", "c", "st", "lbw"})
# Words that after "Jr." or "I." start the next sentence rather than go on with a name.
_SENTENCE_STARTS = frozenset("the a an he she it we they i but and in on at this that there his her their its".split())
_FUNCTION_WORDS = frozenset(
    "a an the and or but nor of in on at to for from by with without into onto over under about "
    "after before as is are was be vs v via per than its his her their our your my up out off "
    "not no".split()
)


class Token:
    """One word of a run, with its offsets in the text."""

    __slots__ = ("start", "end", "word", "low")

    def __init__(self, start: int, end: int, word: str):
        self.start, self.end, self.word, self.low = start, end, word, word.lower()

    def cut(self, length: int) -> None:
        """Keeps the first `length` characters ("Putin." -> "Putin")."""
        self.end = self.start + length
        self.word = self.word[:length]
        self.low = self.word.lower()


@dataclass(slots=True)
class Run:
    """Consecutive capitalised words within one sentence, and what surrounds them."""

    tokens: list[Token]
    weak: bool  # in a headline or a sports table: only names known from elsewhere count
    initial: bool  # starts a sentence with a word like "Will" (only then does it matter)
    titled: bool  # a lower-case title ("spokesperson") stands right before it


class Lines:
    """Line offsets and, computed on demand, whether a line is weak: its capitals prove nothing.

    Weak lines are headlines (all caps, or Title Case) and sports tables, unless the line is
    part of hard-wrapped prose.
    """

    def __init__(self, text: str):
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.kinds: dict[int, bool] = {}

    def index(self, offset: int) -> int:
        """The number of the line holding `offset`."""
        return bisect.bisect_right(self.starts, offset) - 1

    def weak(self, line: int) -> bool:
        """Whether line number `line` is a headline or a table (computed once per line)."""
        kind = self.kinds.get(line)
        if kind is None:
            text = self.line(line)
            if not LOWER_RE.search(text):
                kind = _UPPER_RE.search(text) is not None  # all capitals
            elif _is_prose(text):
                kind = False  # most lines: neither a headline nor a table
            else:
                wrapped = (line and self._continues(line - 1)) or _ends_open(text)
                headline = _is_headline(text) and not wrapped
                table = _is_table(text) if _DIGITS_RE.search(text) else _FIXTURE_RE.match(text) is not None
                kind = headline or table
            self.kinds[line] = kind
        return kind

    def _continues(self, line: int) -> bool:
        """A line of prose that runs on into the next (hard-wrapped text: no headline follows)."""
        text = self.line(line).rstrip()
        return bool(text) and text[-1] not in ".!?:;\"'”’" and _is_prose(text)

    def span(self, line: int) -> tuple[int, int]:
        """Start and end offsets of a line, without its newline."""
        end = self.starts[line + 1] - 1 if line + 1 < len(self.starts) else len(self.text)
        return self.starts[line], end

    def line(self, line: int) -> str:
        """The text of a line."""
        start, end = self.span(line)
        return self.text[start:end]

    def length(self, line: int) -> int:
        """A line's length with its newline: long lines are wrapped prose."""
        end = self.starts[line + 1] if line + 1 < len(self.starts) else len(self.text)
        return end - self.starts[line]


def _is_headline(line: str) -> bool:
    """All caps, or Title Case With Common Words Capitalised: case there says nothing of names.

    Lists and result tables ("1. Monica Seles (U.S.) beat ...") are capitalised too, but have
    brackets or numbers and few dictionary words.
    """
    if not LOWER_RE.search(line):
        return bool(_UPPER_RE.search(line))
    if len(line) > 200 or "(" in line or _is_prose(line):
        return False
    if len(_DIGITS_RE.findall(line)) > 2:
        return False
    lex = lexicon()
    content = [w for w in _ALPHA_WORD_RE.findall(line) if len(w) > 2 and w.lower() not in _FUNCTION_WORDS]
    capitals = [w for w in content if w[0].isupper()]
    if len(content) < 3 or len(capitals) < 0.8 * len(content):
        return False
    common = sum(1 for w in capitals[1:] if _headline_word(w.lower(), lex))
    return common >= 2 and common >= 0.4 * len(content)


def _headline_word(low: str, lex: Lexicon) -> bool:
    """An everyday word that only a headline capitalises (not a title, a given name or a surname)."""
    return lex.is_common(low) and low not in lex.first and low not in lex.titles and low not in SURNAME_WORDS


_STANDINGS_RE = re.compile(r"^\W*[^\W\d][^\d\n]*?((?:\s+-?\d+){3,})\s*$")
_RESULT_RE = re.compile(r"^\W*[^\W\d][^\d\n]*?\s\d+\s*,?\s+[^\W\d][^\d\n]*?\s\d+\s*$")
_FIXTURE_RE = re.compile(r"^\W*[^\W\d][^\d\n]{0,40}?\s+v\.?\s+[^\W\d][^\d\n]{0,40}$")


def _ends_open(line: str) -> bool:
    """A line that cannot end a headline: it stops at "of", a title, a given name ("... Jose Luis")
    or a word in lower case ("... James Baker said")."""
    words = line.split()
    if not words:
        return False
    last, lex = words[-1].lower(), lexicon()
    return words[-1][0].islower() or last in lex.titles or last in lex.first or last in CONNECTORS


def _is_prose(line: str) -> bool:
    """Two lower-case words among the first dozen that a Title Case headline would capitalise."""
    count = 0
    for word in line.split(None, 12)[:12]:
        if word[0].islower() and len(word) > 2 and word not in _FUNCTION_WORDS:
            count += 1
            if count == 2:
                return True
    return False


def _is_table(line: str) -> bool:
    """A sports table line: "Leyton Orient 4 1 1 2 3 3 4" or "Greenock Morton 1 Falkirk 0"
    (a fixture without scores, "Nottm Forest v Peterborough", is matched by _FIXTURE_RE).

    The names there are teams. A golf leaderboard ("Tiger Woods 70 68 72 210") has no number
    under 50, so it is not taken for a table.
    """
    standings = _STANDINGS_RE.match(line)
    if standings:
        return any(abs(int(n)) < 50 for n in standings.group(1).split())
    return bool(_RESULT_RE.match(line))


def is_initial(text: str, start: int) -> bool:
    """True when nothing but quotes, brackets or a sentence end stands before `start`."""
    i = start - 1
    while i >= 0 and text[i] in " \t\u00a0\"'‘’“”«(['":
        i -= 1
    return i < 0 or text[i] in "\n.!?:;…|•*-–—"


def word_before(text: str, start: int) -> str:
    """The word right before `start` ("spokesperson" in "spokesperson Yuri Ushakov")."""
    if start < 2 or text[start - 1] != " ":
        return ""
    space = text.rfind(" ", max(0, start - 30), start - 1)
    return text[space + 1 : start - 1].rstrip(",")


def split_tokens(match: re.Match) -> list[Token]:
    """The words of a run."""
    base, text = match.start(), match.group()
    tokens, pos = [], 0
    for word in text.split():  # the run's words are its whitespace-separated parts
        pos = text.index(word, pos)
        tokens.append(Token(base + pos, base + pos + len(word), word))
        pos += len(word)
    return tokens


def _sentence_end(tok: Token) -> bool:
    """A word ending in a full stop that is not an initial or an abbreviation ("Putin.")."""
    if not tok.word.endswith(".") or INITIAL_RE.fullmatch(tok.word):
        return False
    return tok.low[:-1] not in _ABBREVIATIONS and "." not in tok.word[:-1]


def find_runs(text: str, lines: Lines) -> tuple[list[Run], list[re.Match]]:
    """The capitalised runs of the text, split at sentence ends and between unrelated lines.

    Lone capitalised words with no title before them ("The", "Moscow", "Putin") are most runs
    and can only be parts of names found elsewhere: they come back apart, as bare matches, so
    that pass two can check them against the names cheaply.
    """
    lex = lexicon()
    runs, singles = [], []
    for match in runs_in(text):
        word = match.group()
        titled = _is_titled(text, match.start(), lex)
        if not titled and " " not in word and "\n" not in word:
            singles.append(match)
            continue
        tokens = split_tokens(match)
        pieces = split_pieces(tokens, lines, text) if "." in word or "\n" in word else [tokens]
        for piece in pieces:
            start = piece[0].start
            if piece is not pieces[0]:
                titled = _is_titled(text, start, lex)
            initial = piece[0].low in AMBIGUOUS_FIRST and is_initial(text, start)  # only then it matters
            runs.append(Run(piece, lines.weak(lines.index(start)), initial, titled))
    return runs, singles


def runs_in(text: str) -> Iterator[re.Match]:
    """_RUN_RE.finditer(text), found quicker (see _FROM_CAPITAL)."""
    previous = None
    for match in _FROM_CAPITAL.finditer(text):
        if match.lastindex:  # linked or prefixed
            match = _whole_run(text, match, previous.end() if previous else 0)
        yield match
        previous = match


def _whole_run(text: str, match: re.Match, after: int) -> re.Match:
    """The run that a match of _FROM_CAPITAL ends, which may start with a prefix and with
    connectors before it ("bin al-Assad", "de la Fuente"); `after`: where the last run ended."""
    start = match.start()
    if text[start] in "-'’":  # "al-Assad", "d'Estaing"
        start -= 1 if text[start - 1] == "d" else 2
    starts = [start]
    while True:  # back over connectors and the spaces after them
        end = start
        while end > after and text[end - 1] in _SPACES:
            end -= 1
        link = _CONNECTOR_ENDS_HERE.search(text, max(after, end - _LONGEST_CONNECTOR), end) if end < start else None
        if link is None:
            break
        start = link.start()
        starts.append(start)
    for start in reversed(starts):  # the first that starts a run, as finditer would find it
        run = _RUN_RE.match(text, start)
        if run is not None:
            return run
    return match


def _is_titled(text: str, start: int, lex: Lexicon) -> bool:
    """A lower-case title stands right before: "spokesperson Yuri Ushakov", "lbw b Mushtaq"."""
    if start < 2 or text[start - 1] != " " or not text[start - 2].islower():
        return False
    before = word_before(text, start)
    return before[:1].islower() and (before in lex.titles or before in _SCORECARD) and before not in _ADJECTIVES


def split_pieces(tokens: list[Token], lines: Lines, text: str) -> list[list[Token]]:
    """Splits after a sentence-ending full stop, and at a line break unless inside wrapped prose."""
    pieces = [[tokens[0]]]
    if len(tokens) == 1 and tokens[0].word[-1] != ".":
        return pieces
    for prev, tok in zip(tokens, tokens[1:]):
        if prev.word[-1] == "." and (_sentence_end(prev) or tok.low in _SENTENCE_STARTS):
            prev.cut(len(prev.word) - 1)
            pieces.append([tok])
        elif "\n" in text[prev.end : tok.start] and (
            prev.word[-1] == "." or not _wrapped(lines, prev.start, tok.start)
        ):
            pieces.append([tok])
        else:
            pieces[-1].append(tok)
    if tokens[-1].word[-1] == "." and _sentence_end(tokens[-1]):
        tokens[-1].cut(len(tokens[-1].word) - 1)
    return pieces


NO_LINES = Lines("")


def _wrapped(lines: Lines, a: int, b: int) -> bool:
    """Two offsets on consecutive lines of hard-wrapped prose (neither line a headline or table)."""
    la, lb = lines.index(a), lines.index(b)
    if lines.weak(la) or lines.weak(lb):
        return False
    return lines.length(la) > 50 or _is_prose(lines.line(lb))
