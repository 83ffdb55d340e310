"""People and dates named in an article's text.

People are found in two passes over the runs of capitalised words.

Pass one keeps a run (less leading words such as "The", "Afghan", "Former", and any title) as a
full name when it starts with a known given name ("Donald Trump"), follows a title ("President
Vladimir Putin", "spokesperson Yuri Ushakov"), starts with an initial ("M. Butcher") or is made
of words the dictionary does not know ("Dmitry Zhirnov"). Runs that end in an organisation or
place word ("Bloomberg News", "Supreme Court", "Islamic State"), start with a place ("Boston Red
Sox") or are one ("Hong Kong") are not people, and a name made only of words seen in a company
name ("Merrill Lynch & Co") is the company again. Headlines (all caps, or Title Case With Common
Words) and sports tables prove nothing by their capitals and are skipped here, except that a
headline's lone unusual word that says or sees ("VOLCKER SEES ...", "Miyazawa says") is a person.

Pass two credits every other capitalised word that is part of a name from pass one to that
name: "Putin", "Putin's", "PUTIN" in a headline, "Vladimir" when no other Vladimir is named,
"KEVIN BROWN". So the article's own full names are the canonical names.

The rules and word lists are hand-written: the NER models that would do better are trained on
CoNLL/Reuters text whose licence forbids shipping them. Word lists ship in search/data/ (sources
and licences in its README.md) and are loaded once per process.

Dates: anchored patterns, tried from the most specific ("July 4, 2024") to the least ("April"),
and resolved against the publication date; a free-text date parser run over whole bodies reads
"We" as Wednesday and "may" as a month, so none is used. Month names count only capitalised,
and "May" and "March" alone only after a word such as "in" or "last". A bare number is a year
only where a year fits ("in 1994", "1994,", not "1994 votes"). "2024-25" (a season) gives 2024;
numeric dates other than ISO ("4/7/2024") are left alone as ambiguous.

Neither public function raises on any str input; both are pure Python with precompiled regexes
and set look-ups.
"""
from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from search.model import DateMention

DATA = Path(__file__).with_name("data")
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


# ---------------------------------------------------------------------------------------------
# Word lists


def _read_list(name: str) -> list[str]:
    """Non-empty, non-comment lines of a shipped data file; none when it is missing."""
    try:
        text = (DATA / name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    return [s for s in (line.strip() for line in text.splitlines()) if s and not s.startswith("#")]


# Given names in the lists that start place names and team names far more often than names.
_NOT_FIRST = frozenset(MONTHS + WEEKDAYS + ("north", "south", "east", "west", "saint", "san", "santa"))
_SUFFIXES = (("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e"))


@dataclass(frozen=True, slots=True)
class Lexicon:
    """The word sets the people rules consult, all lower case."""

    common: frozenset[str]  # dictionary words written in lower case: "trump", "state", "news"
    basic: frozenset[str]  # the 850 words of Basic English: ordinary wherever they appear
    proper: frozenset[str]  # dictionary words written capitalised: "moscow", "islamic", "joe"
    first: frozenset[str]  # given names that are not also places, months or weekdays
    titles: frozenset[str]  # "president", "coach": a name follows them
    loose_titles: frozenset[str]  # titles that are also surnames ("major", "king")
    org: frozenset[str]  # words that make a run an organisation or a place: "news", "court"
    places: frozenset[str]  # one-word places: "jordan", "moscow"
    peoples: frozenset[str]  # peoples and their adjectives: "afghan", "kurd"
    place_phrases: frozenset[str]  # several-word places: "sri lanka", "hong kong"
    place_words: frozenset[str]  # the words of those: "lanka", "kong"
    _memo: dict = field(default_factory=dict)

    def is_common(self, low: str) -> bool:
        """A dictionary word, allowing for the plural and -ed/-ing forms the list lacks."""
        known = self._memo.get(low)
        if known is None:
            if len(self._memo) > 200_000:
                self._memo.clear()  # bounded: a long indexing run meets ever new words
            known = low in self.common or any(
                low.endswith(end) and len(low) > len(end) + 2 and low[: -len(end)] + repl in self.common
                for end, repl in _SUFFIXES
            )
            self._memo[low] = known
        return known

    def is_people(self, low: str) -> bool:
        """A people or its adjective, "Kurds" as well as "Kurd"."""
        return low in self.peoples or (low[-1:] == "s" and low[:-1] in self.peoples)

    def is_place(self, low: str) -> bool:
        """A place, a people or a people's adjective."""
        return low in self.places or self.is_people(low)


@functools.cache
def lexicon() -> Lexicon:
    """Loads the shipped lists once; a missing file leaves its set empty rather than failing."""
    words = _read_list("words/en") + _read_list("words/en-basic")
    place_lines = [p.lower() for p in _read_list("places.txt")]
    places = frozenset(p for p in place_lines if " " not in p)
    peoples = frozenset(p.lower() for p in _read_list("peoples.txt"))
    titles = [t.lower() for t in _read_list("titles.txt")]
    names = _read_list("names/male.txt") + _read_list("names/female.txt") + _read_list("first_names.txt")
    return Lexicon(
        common=frozenset(w for w in words if w[:1].islower()),
        basic=frozenset(w.lower() for w in _read_list("words/en-basic")),
        proper=frozenset(w.lower() for w in words if w[:1].isupper()),
        first=frozenset(n.lower() for n in names) - places - peoples - _NOT_FIRST,
        titles=frozenset(t.rstrip("*") for t in titles),
        loose_titles=frozenset(t.rstrip("*") for t in titles if t.endswith("*")),
        org=frozenset(w.lower() for w in _read_list("org_words.txt")),
        places=places,
        peoples=peoples,
        place_phrases=frozenset(p for p in place_lines if " " in p),
        place_words=frozenset(w for p in place_lines if " " in p for w in p.split()),
    )


# ---------------------------------------------------------------------------------------------
# People: capitalised runs


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


_UP = _char_class(lambda c: c.isupper() or c.istitle())
_LOW = _char_class(str.islower)
CONNECTORS = frozenset("van von de der den del della di da du dos das le la bin bint ibn al el ter ten zu wa".split())
_CONNECT = "|".join(sorted(CONNECTORS, key=len, reverse=True))
# One name-like word: initials ("J.", "F.W.", "U.S."), or a capitalised word with inner parts
# ("Jean-Pierre", "O'Neill", "al-Assad", "Kim In-so", "Songo'o"), maybe with a final full stop.
_WORD = (rf"(?:[{_UP}]\.){{1,3}}(?!\w)|(?:(?:al|el|d)['’-])?[{_UP}]\w*"
         rf"(?:[-'’][{_UP}]\w*|-[{_LOW}]\w*|['’](?!(?:s|ll|re|ve|d|m|t)\b)[{_LOW}]\w*)*\.?")
_SEP = r"(?:[ \t\u00a0]+\n?|\n)[ \t\u00a0]*"
_RUN_RE = re.compile(
    rf"(?<![\w'’-])(?:(?:{_CONNECT}){_SEP})*(?:{_WORD})(?:{_SEP}(?:(?:{_CONNECT}){_SEP})*(?:{_WORD}))*"
)
_LOWER_RE = re.compile(f"[{_LOW}]")
_UPPER_RE = re.compile(f"[{_UP}]")
_ALPHA_WORD_RE = re.compile(r"[^\W\d_][\w'’-]*")
_DIGITS_RE = re.compile(r"\d+")
_INITIAL_RE = re.compile(rf"(?:[{_UP}]\.)+")
_COMPANY_END_RE = re.compile(r"\s*&|\s+and\s+Co\b|,?\s+(?:Inc|Ltd|Corp|Co|Plc|PLC|LLC|SA|AG|NV)\b")
_CAPITALISED_RE = re.compile(r"[^\W\d_]+")  # "LEIGH-PEMBERTON" -> "Leigh-Pemberton"
_LOWER_WORD_RE = re.compile(r"(?<![\w'’-])[a-z]+(?![\w'’-])")
_ROMAN = frozenset("ii iii iv v vi vii viii ix x xi xii xiii xiv xv xvi".split())
_DOTTED_ACRONYMS = frozenset({"u.s", "u.k", "u.n", "e.u", "u.s.a", "u.a.e", "a.m", "p.m"})
# A word with one of these dots is an abbreviation, not the end of a sentence.
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st jr sr mt ft no vs co inc corp ltd bros gov gen sen rep lt col capt sgt rev "
    "adm maj cmdr supt det insp jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
# "Hong Kong-based", "US-supported": a trailing lower-case part that is an ordinary word makes
# the word an adjective, not a name ("Kim In-so" and "Li Song-ho" keep theirs).
_HYPHEN_TAILS = frozenset("based led run era born owned backed style type like held made bound wide".split())
# Given names that are also everyday words: alone they start a name only before an unusual word.
_AMBIGUOUS_FIRST = frozenset(
    "will mark bill frank grant guy rose hope joy faith grace jack pat sue rich rusty red dawn may june "
    "april august art chip chuck dick drew earl gene gay glen hunter ivy lily lane major mason miles penny "
    "ray rob robin rock sandy skip sky stone summer wade walker ward wood woody young rod reed holly "
    "heather iris ruby pearl amber crystal violet daisy olive ginger cliff dale dean earnest hale harmony "
    "honor jewel king lance noble page price royal sterling storm trinity chase christian cash fox gray "
    "grey hawk brook brooks bud buck dusty happy lucky sunny merry misty sonny star roman tiger west "
    "north south east long early black white brown green gold silver carol bishop baker cook porter "
    "hall gale fairy angel autumn winter spring river ocean rain snow coy ali".split()
)
# Words that start place names: "Port Calder", "Fort Worth", "Lake Geneva", "St Pauli".
_PLACE_PREFIXES = frozenset("port fort mount mt lake cape saint st santa sao".split())
# Titles that in lower case are mostly adjectives: "a major Hong Kong company".
_ADJECTIVES = frozenset({"major", "general", "crown", "chief", "executive", "sister", "brother"})
# Cricket scorecards: "c Knight b Hollioake", "lbw b Mushtaq", "st Moin Khan".
_SCORECARD = frozenset({"b", "c", "st", "lbw"})
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


class _Lines:
    """Line offsets and, computed on demand, whether a line is weak: its capitals prove nothing.

    Weak lines are headlines (all caps, or Title Case) and sports tables, unless the line is
    part of hard-wrapped prose.
    """

    def __init__(self, text: str):
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.kinds: dict[int, bool] = {}

    def index(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset) - 1

    def weak(self, line: int) -> bool:
        """Whether line number `line` is a headline or a table (computed once per line)."""
        kind = self.kinds.get(line)
        if kind is None:
            text = self.line(line)
            if not _LOWER_RE.search(text):
                kind = _UPPER_RE.search(text) is not None  # all capitals
            elif _is_prose(text):
                kind = False  # most lines: neither a headline nor a table
            else:
                wrapped = (line and self._continues(line - 1)) or _ends_open(text)
                headline = _is_headline(text) and not wrapped
                kind = headline or (_DIGITS_RE.search(text) is not None and _is_table(text))
            self.kinds[line] = kind
        return kind

    def _continues(self, line: int) -> bool:
        """A line of prose that runs on into the next (hard-wrapped text: no headline follows)."""
        text = self.line(line).rstrip()
        return bool(text) and text[-1] not in ".!?:;\"'”’" and _is_prose(text)

    def span(self, line: int) -> tuple[int, int]:
        end = self.starts[line + 1] - 1 if line + 1 < len(self.starts) else len(self.text)
        return self.starts[line], end

    def line(self, line: int) -> str:
        start, end = self.span(line)
        return self.text[start:end]

    def length(self, line: int) -> int:
        end = self.starts[line + 1] if line + 1 < len(self.starts) else len(self.text)
        return end - self.starts[line]


def _is_headline(line: str) -> bool:
    """All caps, or Title Case With Common Words Capitalised: case there says nothing of names.

    Lists and result tables ("1. Monica Seles (U.S.) beat ...") are capitalised too, but have
    brackets or numbers and few dictionary words.
    """
    if not _LOWER_RE.search(line):
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
    return lex.is_common(low) and low not in lex.first and low not in lex.titles and low not in _SURNAME_WORDS


_STANDINGS_RE = re.compile(r"^\W*[^\W\d][^\d\n]*?((?:\s+-?\d+){3,})\s*$")
_RESULT_RE = re.compile(r"^\W*[^\W\d][^\d\n]*?\s\d+\s*,?\s+[^\W\d][^\d\n]*?\s\d+\s*$")


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
    """A sports table line: "Leyton Orient 4 1 1 2 3 3 4" or "Greenock Morton 1 Falkirk 0".

    The names there are teams. A golf leaderboard ("Tiger Woods 70 68 72 210") has no number
    under 50, so it is not taken for a table.
    """
    standings = _STANDINGS_RE.match(line)
    if standings:
        return any(abs(int(n)) < 50 for n in standings.group(1).split())
    return bool(_RESULT_RE.match(line))


def _is_initial(text: str, start: int) -> bool:
    """True when nothing but quotes, brackets or a sentence end stands before `start`."""
    i = start - 1
    while i >= 0 and text[i] in " \t\u00a0\"'‘’“”«(['":
        i -= 1
    return i < 0 or text[i] in "\n.!?:;…|•*-–—"


def _word_before(text: str, start: int) -> str:
    """The word right before `start` ("spokesperson" in "spokesperson Yuri Ushakov")."""
    if start < 2 or text[start - 1] != " ":
        return ""
    space = text.rfind(" ", max(0, start - 30), start - 1)
    return text[space + 1 : start - 1].rstrip(",")


def _tokens(match: re.Match) -> list[Token]:
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
    if not tok.word.endswith(".") or _INITIAL_RE.fullmatch(tok.word):
        return False
    return tok.low[:-1] not in _ABBREVIATIONS and "." not in tok.word[:-1]


def _runs(text: str, lines: _Lines) -> tuple[list[Run], list[re.Match]]:
    """The capitalised runs of the text, split at sentence ends and between unrelated lines.

    Lone capitalised words with no title before them ("The", "Moscow", "Putin") are most runs
    and can only be parts of names found elsewhere: they come back apart, as bare matches, so
    that pass two can check them against the names cheaply.
    """
    lex = lexicon()
    runs, singles = [], []
    for match in _RUN_RE.finditer(text):
        word = match.group()
        titled = _is_titled(text, match.start(), lex)
        if not titled and " " not in word and "\n" not in word:
            singles.append(match)
            continue
        tokens = _tokens(match)
        pieces = _pieces(tokens, lines, text) if "." in word or "\n" in word else [tokens]
        for piece in pieces:
            start = piece[0].start
            if piece is not pieces[0]:
                titled = _is_titled(text, start, lex)
            initial = piece[0].low in _AMBIGUOUS_FIRST and _is_initial(text, start)  # only then it matters
            runs.append(Run(piece, lines.weak(lines.index(start)), initial, titled))
    return runs, singles


def _is_titled(text: str, start: int, lex: Lexicon) -> bool:
    """A lower-case title stands right before: "spokesperson Yuri Ushakov", "lbw b Mushtaq"."""
    if start < 2 or text[start - 1] != " " or not text[start - 2].islower():
        return False
    before = _word_before(text, start)
    return before[:1].islower() and (before in lex.titles or before in _SCORECARD) and before not in _ADJECTIVES


def _pieces(tokens: list[Token], lines: _Lines, text: str) -> list[list[Token]]:
    """Splits after a sentence-ending full stop, and at a line break unless inside wrapped prose."""
    pieces = [[tokens[0]]]
    if len(tokens) == 1 and tokens[0].word[-1] != ".":
        return pieces
    for prev, tok in zip(tokens, tokens[1:]):
        if prev.word[-1] == "." and _sentence_end(prev):
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


_NO_LINES = _Lines("")


def _wrapped(lines: _Lines, a: int, b: int) -> bool:
    """Two offsets on consecutive lines of hard-wrapped prose (neither line a headline or table)."""
    la, lb = lines.index(a), lines.index(b)
    if lines.weak(la) or lines.weak(lb):
        return False
    return lines.length(la) > 50 or _is_prose(lines.line(lb))


# ---------------------------------------------------------------------------------------------
# People: which runs are names


@dataclass(slots=True)
class Mention:
    """A stretch of text naming a person; `name` is the canonical full name once resolved."""

    start: int
    end: int
    words: tuple[str, ...]
    titled: bool = False
    name: str = ""


def _is_acronym(tok: Token) -> bool:
    """"NATO", "U.S.", "GDRs": capitals only (a plural s aside); never part of a name."""
    word = tok.word[:-1] if tok.word[-1] == "s" else tok.word
    if not word.isupper() or len(word.replace(".", "")) < 2:
        return False
    return "." not in word or tok.low.rstrip(".") in _DOTTED_ACRONYMS


class _Usage:
    """Whether a capitalised word is an ordinary word in this text.

    The dictionary also lists rare words that are names too ("waugh", "hen", "rami"), so a
    dictionary word counts as ordinary only when it is Basic English, an inflected form
    ("cables"), or written in lower case somewhere in the same text ("prison").
    """

    def __init__(self, text: str, lex: Lexicon):
        self.text, self.lex = text, lex
        self._lowers: set[str] | None = None

    def common(self, low: str) -> bool:
        lex = self.lex
        if low in lex.basic:
            return True
        if not lex.is_common(low):
            return False
        if low not in lex.common:
            return True
        if self._lowers is None:
            self._lowers = set(_LOWER_WORD_RE.findall(self.text))
        return low in self._lowers


@functools.lru_cache(maxsize=65536)
def _title_of(low: str) -> str:
    """The title a word is ("gov." -> "gov", "ex-president" -> "president",
    "lieutenant-colonel" -> "colonel", "co-premiers" -> "premier"), or ""."""
    lex = lexicon()
    low = low.rstrip(".")
    if low.startswith("ex-"):
        low = low[3:]
    if low in lex.titles:
        return low
    head, dash, tail = low.rpartition("-")
    tail = tail if tail in lex.titles else tail[:-1] if tail[:-1] in lex.titles and dash else ""
    if tail and (tail not in lex.loose_titles or head.rpartition("-")[2] in lex.titles):
        return tail
    return ""


def _segments(run: Run, lex: Lexicon):
    """Splits a run at titles and acronyms; yields (tokens, titled) pieces."""
    seg: list[Token] = []
    titled = run.titled
    last = len(run.tokens) - 1
    for i, tok in enumerate(run.tokens):
        title = _title_of(tok.low) if i < last else ""
        if title in lex.loose_titles and not all(_droppable(t.word) or lex.is_place(t.low) for t in seg):
            title = ""  # "John Major", "Stephen King": a surname here, not a title
        roman = seg and tok.low in _ROMAN
        if title or (_is_acronym(tok) and not roman):
            yield seg, titled
            seg, titled = [], bool(title)
            continue
        seg.append(tok)
    yield seg, titled


def _is_adjective(word: str, lex: Lexicon) -> bool:
    """"US-supported", "Bergamo-based", "Ex-Yankee": not a name, though capitalised."""
    if word[:3].lower() == "ex-":
        return True
    tail = word.rpartition("-")[2]
    return tail != word and tail[:1].islower() and (tail in _HYPHEN_TAILS or (len(tail) > 3 and lex.is_common(tail)))


@functools.lru_cache(maxsize=65536)
def _droppable(word: str) -> bool:
    """A word that may stand before a name without being part of it: "The", "Afghan", "July"."""
    low, lex = word.lower(), lexicon()
    if "-" in low and _is_adjective(word, lex):
        return True
    if low in lex.first or low.rstrip(".") in _PLACE_PREFIXES or _INITIAL_RE.fullmatch(word):
        return False
    if word[0].islower() or lex.is_people(low) or low in MONTHS or low in WEEKDAYS:
        return True
    return lex.is_common(low) and low not in CONNECTORS


def _trim(seg: list[Token], usage: _Usage, titled: bool) -> list[Token]:
    """The segment without leading common words and trailing dates, titles or connectors.

    After a title a last word that is a surname stays: "coach Smith", "c Knight".
    """
    i, j = 0, len(seg)
    keep_last = titled and seg and seg[-1].low in _SURNAME_WORDS
    while i < j - keep_last and _droppable(seg[i].word):
        i += 1
    while j > i and _trailing_noise(seg[j - 1], usage.lex):
        j -= 1
    return seg[i:j]


def _trailing_noise(tok: Token, lex: Lexicon) -> bool:
    """"... on Friday", "South Carolina Gov.": not part of a name at its end."""
    if tok.word[0].islower() or tok.low in MONTHS or tok.low in WEEKDAYS:
        return True
    title = _title_of(tok.low)
    return bool(title) and title not in lex.loose_titles


def _plain(tok: Token) -> str:
    """The word in lower case without dots: "Corp." -> "corp", "S.A." -> "sa"."""
    return tok.low.replace(".", "") if "." in tok.low else tok.low


def _has_place_phrase(seg: list[Token], lex: Lexicon) -> bool:
    """Whether two or three words in a row are a known place ("Hong Kong", "San Diego Padres")."""
    lows = [_plain(t) for t in seg]
    return any(" ".join(lows[i : i + n]) in lex.place_phrases for n in (2, 3) for i in range(len(lows) - n + 1))


# Everyday words that are also common surnames: "Moin Khan", "Zinzan Brooke", "Olo Brown".
_SURNAME_WORDS = frozenset(
    "khan brown brooke brooks smith black white young king wood woods green hill hall bush baker cook "
    "miller carter taylor walker wright clark clarke turner cooper ward hunter fox moore stone rose "
    "price marsh lane little long short small rich major mason knight bishop cross gray grey reed "
    "read rice gore cash dean dole bell day field fields ford forest gold golden hart hawk hope "
    "house hunt jack james keen lamb law lord love luck mark marks may mills moon nash oak page "
    "park parks pike pope potter power rich ridge ross ruth sharp shaw short silver singer sparks "
    "spring steel stern stock strong swan swift sweet toll tower travers vine wall walls ward "
    "waters webb west wells wise wolf woodward chase cole crane crow dale drake fowler gardner "
    "glass grant graves hale hammer hood horn joy kidd kemp lake legg may noble paine palmer "
    "parish penny pigg plant pound quick savage sutton tanner tucker vale wade weaver wheeler "
    "whiting winter wing wren abbott archer armstrong butcher barber brewer butler carpenter chance "
    "chandler coward dyer fisher fletcher gill guy hay head hoover hurst kay lawless nice pierce "
    "rush sale shepherd sherman slater spencer such sterling stewart steward tate thatcher thorn "
    "thorpe waite warren weir whale wood young ali ahmed malik gates banks hayes sykes evans".split()
)


def _is_name(toks: list[Token], titled: bool, usage: _Usage) -> bool:
    """Whether trimmed capitalised words name a person (the pass-one rules of the module docstring)."""
    lex, common = usage.lex, usage.common
    lows = [_plain(t) for t in toks if t.low not in CONNECTORS or t is toks[-1]]
    if not lows or any(w in lex.org for w in lows):
        return False
    first, last = lows[0], lows[-1]
    if lex.is_place(first) or first in _PLACE_PREFIXES:
        return False  # "Boston Red Sox", "London Stock Exchange", "Kurds", "Port Calder"
    if len(lows) == 1:
        return titled and not _is_acronym(toks[0])
    initial = bool(_INITIAL_RE.fullmatch(toks[0].word))
    is_first = first in lex.first and not initial
    if lex.is_place(last) and (initial or (not is_first and (first in lex.proper or common(first)))):
        return False  # "N. Korea", "Saint Petersburg"; but "Michael Jordan", "MaliVai Washington"
    if titled:
        return is_first or not all(common(w) for w in lows)
    if initial:
        return True
    surname_like = [w in _SURNAME_WORDS or not common(w) for w in lows[1:]]
    if is_first and (first not in _AMBIGUOUS_FIRST or any(surname_like)):
        return True
    return not lex.is_common(first) and all(surname_like) and not any(lex.is_place(w) for w in lows[1:])


def _candidates(text: str, runs: list[Run], lex: Lexicon) -> tuple[list[Mention], set[str]]:
    """Pass one: the runs (or their parts) that are names by themselves.

    Also returns the words seen in company names ("Merrill Lynch & Co", "Pennzoil Co"): a
    name made only of such words is the company again ("analysts at Merrill Lynch").
    """
    found, company_words = [], set()
    usage = _Usage(text, lex)
    for run in runs:
        if run.weak:
            continue  # a headline's or a table's capitals prove nothing
        for seg, titled in _segments(run, lex):
            if not seg or _has_place_phrase(seg, lex):
                continue  # "Hong Kong", "San Diego Padres"
            toks = _trim(seg, usage, titled)
            if toks and (_plain(toks[-1]) in lex.org or _COMPANY_END_RE.match(text, toks[-1].end)):
                company_words.update(_plain(t) for t in toks if _plain(t) not in lex.org)
                continue  # "Douglas & Lomason", "Bloomberg News"
            if toks and _is_name(toks, titled, usage):
                words = tuple(t.word for t in toks)
                found.append(Mention(toks[0].start, toks[-1].end, words, titled))
    return [m for m in found if not _is_company(m, company_words)], company_words


def _is_company(m: Mention, company_words: set[str]) -> bool:
    lows = [w.lower() for w in m.words if w.lower() not in CONNECTORS]
    return all(w in company_words for w in lows)


_SPEECH = ("said|says|told|added|stated|warned|urged|insisted|claimed|noted|explained|replied|wrote|"
           "announced|admitted|denied")
_HEADLINE_VERBS = ("SAYS|SEES|URGES|WARNS|DENIES|BLASTS|EXPECTS|SEEKS|REFUSES|PLANS|CALLS|WANTS|REJECTS|ASKS|"
                   "TELLS|VOWS|PREDICTS")
_SPEAKER_RE = re.compile(
    rf"(?<![\w'’.-])([{_UP}][\w'’-]+?)(?:['’]S)?\s+(?:{_SPEECH}|{_HEADLINE_VERBS})\b"
    rf"|\b(?:said|says)\s+([{_UP}]\w+)(?=[\s.,;:!?]|$)"
    rf"|\s[-–]\s([{_UP}][\w'’-]+)\s*$",  # "NO CLEAR EVIDENCE TRADE GAP REVERSED - VOLCKER"
    re.M,
)
# Surnames that are also everyday words but hardly ever say things as words: "BAKER SAYS".
_SPEAKING_SURNAMES = frozenset(
    "khan brown smith baker cook miller carter taylor walker wright clark clarke turner cooper ward "
    "hunter moore young wood woods bush gore dole rice mason knight bishop gray grey reed shaw fisher "
    "fletcher butler carpenter chandler warren weaver wheeler palmer porter kemp".split()
)


def _speakers(text: str, lines: _Lines, lex: Lexicon) -> list[Mention]:
    """In a headline, lone unusual words that say or see: "VOLCKER SEES", "Miyazawa says".

    Headlines (and the first line, the title) often name a person by surname only, and the
    story may be a headline alone. In body text "Pirelli said" is as likely as "Parnevik said",
    so there the rule is not used. "Reuters said" and "Moscow says" are kept out by the
    organisation and place lists, "He said" and "Police said" by the dictionary. A word the
    body uses without ever naming a person by it ("Nissan said profits rose") is not one.
    """
    found = []
    headlines = sorted({0} | {line for line, weak in lines.kinds.items() if weak})  # known after _runs
    for m in (m for line in headlines for m in _SPEAKER_RE.finditer(text, *lines.span(line))):
        group = next(g for g in (1, 2, 3) if m.group(g))
        word = m.group(group)
        low = word.lower()
        if len(low) < (5 if word.isupper() else 3) or (lex.is_common(low) and low not in _SPEAKING_SURNAMES):
            continue  # "USDA SAYS", "NYSE SAYS": short capitals are acronyms
        if lex.is_place(low) or low in lex.place_words or low in lex.org or low.endswith("bank"):
            continue  # "ZEALAND SAYS" (of "NEW ZEALAND SAYS"), "BUNDESBANK SAYS"
        if low in _NOT_FIRST or (word.isupper() and _LOWER_RE.search(text, max(0, m.start() - 40), m.end())):
            continue  # an acronym in ordinary text ("NATO said")
        found.append(Mention(m.start(group), m.end(group), (word,), True))
    return [m for m in found if not _used_elsewhere(text, lines, headlines, m.words[0])]


def _used_elsewhere(text: str, lines: _Lines, headlines: list[int], word: str) -> bool:
    """Whether the word also appears outside the headlines (case aside)."""
    pattern = re.compile(rf"(?<![\w'’-]){re.escape(word)}(?![\w-])", re.IGNORECASE)
    return any(lines.index(m.start()) not in headlines for m in pattern.finditer(text))


# ---------------------------------------------------------------------------------------------
# People: one name per person


class _Names:
    """The article's full names, indexed by their first and last words (lower case)."""

    def __init__(self, mentions: list[Mention]):
        self.canonical: dict[tuple[str, str], str] = {}
        for m in mentions:
            if len(m.words) >= 2:
                key = (m.words[0].lower(), m.words[-1].lower())
                old = self.canonical.get(key)
                if old is None or len(m.words) > len(old.split()):
                    self.canonical[key] = " ".join(m.words)
        self._merge_initials()
        self.by_last: dict[str, list[str]] = {}
        self.by_first: dict[str, list[str]] = {}
        for (first, last), name in self.canonical.items():
            if name not in self.by_last.get(last, ()):
                self.by_last.setdefault(last, []).append(name)
            if not _INITIAL_RE.fullmatch(name.split()[0]) and name not in self.by_first.get(first, ()):
                self.by_first.setdefault(first, []).append(name)
        self.parts = {name: {w.lower() for w in name.split()} for name in self.canonical.values()}
        self.words = {w for part in self.parts.values() for w in part}

    def _merge_initials(self) -> None:
        """"D. Fleming" is "Damien Fleming" when the article names him in full."""
        for (first, last), name in list(self.canonical.items()):
            if _INITIAL_RE.fullmatch(name.split()[0]):
                full = [n for (f, l), n in self.canonical.items() if l == last and f[0] == first[0] and f != first]
                if len(full) == 1:
                    self.canonical[(first, last)] = full[0]

    def full(self, words: tuple[str, ...]) -> str:
        if len(words) >= 2:
            return self.canonical.get((words[0].lower(), words[-1].lower()), " ".join(words))
        return self.lookup(words[0].lower()) or words[0]

    def lookup(self, low: str) -> str:
        """The full name a single word stands for: a surname, or an unambiguous given name."""
        if low in self.by_last:
            return self.by_last[low][0]
        names = self.by_first.get(low, ())
        return names[0] if len(names) == 1 else ""

    def candidates(self, low: str) -> list[str]:
        return self.by_last.get(low, []) + self.by_first.get(low, [])

    def add_single(self, word: str) -> None:
        """A titled surname with no full name ("Mr Smith") is a person by itself."""
        low = word.lower()
        if not self.lookup(low):
            word = _CAPITALISED_RE.sub(lambda m: m.group().capitalize(), low) if word.isupper() else word
            self.by_last[low] = [word]
            self.parts[word] = {low}
            self.words.add(low)


def _resolve(runs: list[Run], singles: list[re.Match], found: list[Mention], lex: Lexicon) -> list[Mention]:
    """Pass two: canonical names for pass one, plus every other word that is part of one."""
    names = _Names(found)
    for m in found:
        if len(m.words) == 1:
            names.add_single(m.words[0])
    for m in found:
        m.name = names.full(m.words)
    taken = set()
    for m in found:
        taken.update(range(m.start, m.end))
    extra = []
    for run in runs:
        extra.extend(_partial_mentions(run, names, taken, lex))
    for match in singles:
        low = match.group().lower()
        if low in names.words or low.rstrip(".") in names.words:
            tokens = _tokens(match)
            _pieces(tokens, _NO_LINES, "")
            initial = tokens[0].low in _AMBIGUOUS_FIRST and _is_initial(match.string, match.start())
            run = Run(tokens, False, initial, False)
            extra.extend(_partial_mentions(run, names, taken, lex))
    return sorted(found + extra, key=lambda m: m.start)


def _partial_mentions(run: Run, names: _Names, taken: set[int], lex: Lexicon):
    """Words of a run that are parts of known names: "Putin", "PUTIN", "KEVIN BROWN", "de Silva"."""
    toks = run.tokens
    i = 0
    while i < len(toks):
        j, name = _match_name(toks, i, names, taken, run, lex)
        if not name:
            i += 1
            continue
        if j < len(toks) and toks[j].low in lex.org:
            i = j  # "Trump Organization": the company, not the man
            continue
        words = tuple(t.word for t in toks[i:j])
        yield Mention(toks[i].start, toks[j - 1].end, words, name=name)
        i = j


def _match_name(toks: list[Token], i: int, names: _Names, taken: set[int], run: Run, lex: Lexicon):
    """The longest stretch from token i whose words all belong to one known name: (end, name)."""
    tok = toks[i]
    low = tok.low
    if low not in names.words or tok.start in taken:
        return i, ""
    if low in CONNECTORS:  # "de Silva", "Van der Westhuizen": the connector is part of the name
        k = i + 1
        while k < len(toks) and toks[k].low in CONNECTORS:
            k += 1
        cands = [n for n in names.candidates(toks[k].low) if low in names.parts[n]] if k < len(toks) else []
    else:
        cands = names.candidates(low)
    if not cands or (i == 0 and run.initial and low not in names.by_last and low in _AMBIGUOUS_FIRST):
        return i, ""
    j = i + 1
    while j < len(toks) and toks[j].start not in taken:
        narrower = [n for n in cands if toks[j].low in names.parts[n]]
        if not narrower:
            break
        cands, j = narrower, j + 1
    if len(set(cands)) > 1 and j == i + 1:
        return j, names.lookup(low)
    return j, cands[0]


def find_person_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, canonical name) of every person mention, in text order.

    The span covers the name as written, without title or possessive ("Mr Putin's" -> "Putin").
    """
    if not isinstance(text, str) or not text:
        return []
    lex = lexicon()
    lines = _Lines(text)
    runs, singles = _runs(text, lines)
    found, company_words = _candidates(text, runs, lex)
    known = company_words | {w.lower() for m in found for w in m.words}
    found += [m for m in _speakers(text, lines, lex) if m.words[0].lower() not in known]
    mentions = _resolve(runs, singles, sorted(found, key=lambda m: m.start), lex)
    return [(m.start, m.end, m.name) for m in mentions]


def find_people(title: str, body: str) -> tuple[str, ...]:
    """Canonical full names of the people mentioned, in order of first mention."""
    text = f"{title or ''}\n\n{body or ''}" if isinstance(title, str) and isinstance(body, str) else ""
    return tuple(dict.fromkeys(name for _, _, name in find_person_spans(text)))


# ---------------------------------------------------------------------------------------------
# Dates

_MONTH_NUMBER = {m: i + 1 for i, m in enumerate(MONTHS)} | {
    m[:3]: i + 1 for i, m in enumerate(MONTHS)} | {"sept": 9}
_MONTH_FORMS = sorted({f for m in _MONTH_NUMBER for f in (m.capitalize(), m.upper())}, key=len, reverse=True)
# Capitalised only, so the modal "may" and the verb "march" never match; abbreviations may end in a dot.
_M = rf"(?P<month>{'|'.join(_MONTH_FORMS)})(?:\.(?=\s)|(?![\w'’]))"
_D = r"(?P<day>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?"
_Y = r"(?P<year>1\d{3}|20\d\d)"
_NOT_NUM_BEFORE = r"(?<![\w$£€¥#+.,:/-])"
_NOT_NUM_AFTER = r"(?![\w%]|[.,:/][0-9])"
_TRIGGER = (r"(?i:in|since|until|till|by|from|through|during|before|after|of|on|around|between|"
            r"and|to|early|late|mid|mid-|last|next|this|that|each|every)")
_WEEKDAY_FORMS = "|".join(w.capitalize() for w in WEEKDAYS) + "|" + "|".join(w.upper() for w in WEEKDAYS)

_DATE_PATTERNS = [
    ("iso", re.compile(r"(?<![\w-])(?P<year>1\d{3}|20\d\d)-(?P<mon>0[1-9]|1[0-2])-"
                       r"(?P<day>0[1-9]|[12]\d|3[01])(?![\w-])")),
    ("month_day", re.compile(rf"(?<![\w]){_M},?\s+{_D}(?:,?\s+{_Y})?{_NOT_NUM_AFTER}")),
    ("day_month", re.compile(rf"{_NOT_NUM_BEFORE}{_D}(?:\s+of)?\s+{_M}(?:,?\s+{_Y})?{_NOT_NUM_AFTER}")),
    ("month_year", re.compile(rf"(?<![\w]){_M},?\s+{_Y}{_NOT_NUM_AFTER}")),
    ("decade", re.compile(r"(?<![\w$£€¥#+.,:/])(?:(?P<century>1[5-9]|20)(?P<tens>\d)0|['’](?P<short>\d)0)"
                          r"s(?!\w)")),
    ("year", re.compile(rf"(?<![\w$£€¥#+.,:/])(?<!\d[ -])(?P<year>1[5-9]\d\d|20\d\d)"
                        r"(?:[-–/](?P<end>\d\d|1[5-9]\d\d|20\d\d))?(?![\w%]|[.,:/-]\d|\s\d)")),
    ("month_alone", re.compile(rf"(?<!\w)(?P<trigger>{_TRIGGER})\s+(?:the\s+(?:end|start|beginning|middle)\s+of\s+)?"
                               rf"{_M}(?!\s*\d)(?!(?<=May)\s[A-Z][a-z])")),
    ("weekday", re.compile(rf"(?:(?P<trigger>(?i:last|next|this))\s+)?(?<![\w])(?P<weekday>{_WEEKDAY_FORMS})(?![\w])")),
    ("relative", re.compile(r"(?<![\w-])(?P<word>(?i:yesterday|today|tomorrow)|(?i:last|this|next)\s+(?i:year|month))"
                            r"(?![\w-])")),
    # "April was wet", "November's vote": a full month name alone, but never "May" or "March".
    ("month_bare", re.compile(r"(?<![\w'’.-])(?P<month>January|February|April|June|July|August|September|"
                              r"October|November|December)(?=['’]s\b|(?![\w'’-]))")),
]

# "1994 points": a number with a unit after it is a quantity, not a year.
_UNITS = frozenset(
    "points point votes vote people persons men women children students workers employees jobs troops "
    "soldiers police officers members seats cases deaths dead copies units shares barrels tonnes tons "
    "tonne kilos kg km miles metres meters feet foot yards acres hectares dollars euros pounds yen francs "
    "marks rupees yuan rubles roubles calories pages words times runs goals wickets homes houses cars "
    "vehicles flights passengers visitors signatures patients beds items lines files hours minutes "
    "seconds days weeks months years rounds laps shots mph degrees percent per million billion "
    "thousand bn m k mw kw gw mb gb employees users customers subscribers households rooms sq".split()
)
_YEAR_BEFORE = frozenset(
    "in since until till by from through during before after between and or of to early late mid "
    "circa around year the summer spring autumn fall winter season fiscal fy its his her their end "
    "start beginning middle january february march april may june july august september october "
    "november december".split()
)
_YEAR_AFTER = frozenset("and or to through when as was is will saw had has while until".split())
_NAMED_DAY_BEFORE = frozenset(
    "good black super ash bloody palm easter holy maundy cyber shrove whit low blue giving".split()
)
_NEXT_WORD_RE = re.compile(r"\s+([A-Za-z]+)")
_PREV_WORD_RE = re.compile(r"([A-Za-z]+)[\s-]+$")


def _pub_date(published) -> date | None:
    """The publication day; none for a missing or absurd one (date arithmetic would overflow)."""
    if isinstance(published, datetime):
        published = published.date()
    if not isinstance(published, date) or not 1 < published.year < 9999:
        return None
    return published


def _nearest_day(month: int, day: int, pub: date) -> date | None:
    """A day and month without year: the occurrence nearest the publication date."""
    options = []
    for year in (pub.year - 1, pub.year, pub.year + 1):
        try:
            options.append(date(year, month, day))
        except ValueError:
            continue
    return min(options, key=lambda d: abs((d - pub).days)) if options else None


def _month_before(month: int, pub: date, strict: bool) -> str:
    """The latest such month on or before (strictly before, for "last") the publication month."""
    year = pub.year if month < pub.month or (month == pub.month and not strict) else pub.year - 1
    return f"{year:04d}-{month:02d}"


def _weekday_date(weekday: int, pub: date, trigger: str) -> date:
    """"Thursday": the last one on or before publication; "last"/"next" move a week off that day."""
    back = (pub.weekday() - weekday) % 7
    if trigger == "next":
        return pub + timedelta(days=(weekday - pub.weekday()) % 7 or 7)
    if trigger == "last" and back == 0:
        back = 7
    return pub - timedelta(days=back)


def _month(m: re.Match) -> int:
    return _MONTH_NUMBER[m.group("month").lower()]


def _full_date(m: re.Match, pub: date | None) -> list[tuple[str, str]]:
    """"July 4, 2024", "4 July", "1996-08-30": a day; without a year, the one nearest publication."""
    month = int(m.group("mon")) if "mon" in m.re.groupindex else _month(m)
    day = int(m.group("day"))
    if m.group("year"):
        try:
            return [(date(int(m.group("year")), month, day).isoformat(), "day")]
        except ValueError:
            return []
    found = _nearest_day(month, day, pub) if pub else None
    return [(found.isoformat(), "day")] if found else []


def _month_year(m: re.Match, pub: date | None) -> list[tuple[str, str]]:
    return [(f"{int(m.group('year')):04d}-{_month(m):02d}", "month")]


def _decade(m: re.Match, pub: date | None) -> list[tuple[str, str]]:
    """"the 1980s", "'90s" (a two-digit decade is taken from the 1900s unless it is the 00s-20s)."""
    if m.group("century"):
        return [(f"{m.group('century')}{m.group('tens')}0s", "decade")]
    tens = int(m.group("short"))
    return [(f"{19 if tens >= 3 else 20}{tens}0s", "decade")]


def _year(m: re.Match, pub: date | None, text: str) -> list[tuple[str, str]]:
    """A bare year, unless a unit follows ("1994 votes") or nothing around it suggests a year.

    A season or range keeps its years: "2024-25" and "1990-95" give their first year only,
    "1994-1996" gives 1994 and 1996.
    """
    year, end = m.group("year"), m.group("end")
    if end and len(end) == 2 and int(end) <= int(year) % 100:
        return []  # "2024-12" and the like: a code or a month, not a range
    after = _NEXT_WORD_RE.match(text, m.end())
    next_word = after.group(1) if after else ""
    before = _PREV_WORD_RE.search(text, max(0, m.start() - 30), m.start())
    prev_word = before.group(1).lower() if before else ""
    if next_word.lower() in _UNITS:
        return []
    if prev_word not in _YEAR_BEFORE and next_word and next_word not in _YEAR_AFTER:
        return []
    years = [(year, "year")]
    if end and len(end) == 4:
        years.append((end, "year"))
    return years


def _month_alone(m: re.Match, pub: date | None) -> list[tuple[str, str]]:
    """"last October", "in April": the nearest such month before publication ("next": after)."""
    if pub is None:
        return []
    trigger = m.group("trigger").lower()
    month = _month(m)
    if trigger == "next":
        year = pub.year if month > pub.month else pub.year + 1
        return [(f"{year:04d}-{month:02d}", "month")]
    if trigger == "this":
        return [(f"{pub.year:04d}-{month:02d}", "month")]
    return [(_month_before(month, pub, strict=trigger == "last"), "month")]


def _month_bare(m: re.Match, pub: date | None, text: str) -> list[tuple[str, str]]:
    """"April" with no word to anchor it: a month, unless it is part of a name ("April Ryan")."""
    if pub is None:
        return []
    after = _NEXT_WORD_RE.match(text, m.end())
    before = _PREV_WORD_RE.search(text, max(0, m.start() - 30), m.start())
    if (after and after.group(1)[0].isupper()) or (before and before.group(1)[0].isupper()
                                                   and not _is_initial(text, m.start())):
        return []
    return [(_month_before(_month(m), pub, strict=False), "month")]


def _weekday(m: re.Match, pub: date | None, text: str) -> list[tuple[str, str]]:
    """"on Thursday": the last Thursday on or before publication; not "Sunday Times", "Good Friday"."""
    if pub is None:
        return []
    after = _NEXT_WORD_RE.match(text, m.end())
    if after and after.group(1)[0].isupper() and after.group(1).lower() not in _MONTH_NUMBER:
        return []  # "Sunday Times", "Sunday Telegraph", "Monday Night Football"
    before = _PREV_WORD_RE.search(text, max(0, m.start() - 30), m.start())
    if before and before.group(1).lower() in _NAMED_DAY_BEFORE:
        return []
    weekday = WEEKDAYS.index(m.group("weekday").lower())
    trigger = (m.group("trigger") or "").lower()
    return [(_weekday_date(weekday, pub, trigger).isoformat(), "day")]


def _relative(m: re.Match, pub: date | None) -> list[tuple[str, str]]:
    """"yesterday", "today", "tomorrow"; "last/this/next year" and "... month"."""
    if pub is None:
        return []
    words = m.group("word").lower().split()
    if len(words) == 1:
        shift = {"yesterday": -1, "today": 0, "tomorrow": 1}[words[0]]
        return [((pub + timedelta(days=shift)).isoformat(), "day")]
    step = {"last": -1, "this": 0, "next": 1}[words[0]]
    if words[-1] == "year":
        return [(f"{pub.year + step:04d}", "year")]
    index = pub.year * 12 + pub.month - 1 + step
    return [(f"{index // 12:04d}-{index % 12 + 1:02d}", "month")]


_DATE_HANDLERS = {
    "iso": _full_date,
    "month_day": _full_date,
    "day_month": _full_date,
    "month_year": _month_year,
    "decade": _decade,
    "year": _year,
    "month_alone": _month_alone,
    "weekday": _weekday,
    "relative": _relative,
    "month_bare": _month_bare,
}
_NEEDS_TEXT = {"year", "weekday", "month_bare"}


def _mention_text(m: re.Match) -> tuple[str, int]:
    """The words that name the date: "last October", "Thursday", not "in April" or "the"."""
    start = m.start()
    trigger = m.group("trigger") if "trigger" in m.re.groupindex else None
    if trigger and trigger.lower() not in ("last", "next", "this"):
        start = m.start("month")
    return m.string[start : m.end()].rstrip("."), start


def find_dates(text: str, published: datetime | None) -> tuple[DateMention, ...]:
    """Dates mentioned in text, resolved against the publication date (DateMention from search.model).

    Patterns are tried from the most to the least specific; a stretch of text matched by one is
    not read again by the next ("May 3, 2024" is one day, not also a month and a year).
    """
    if not isinstance(text, str) or not text:
        return ()
    pub = _pub_date(published)
    taken = bytearray(len(text))
    found: list[DateMention] = []
    for kind, pattern in _DATE_PATTERNS:
        handler = _DATE_HANDLERS[kind]
        for m in pattern.finditer(text):
            if taken.find(1, m.start(), m.end()) != -1:
                continue
            values = handler(m, pub, text) if kind in _NEEDS_TEXT else handler(m, pub)
            if not values and kind in _NEEDS_TEXT:
                continue  # not a date at all: leave the span to the later patterns
            taken[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
            mention, start = _mention_text(m)
            found.extend(DateMention(mention, value, granularity, start) for value, granularity in values)
    return tuple(sorted(found, key=lambda d: d.start))
