"""People named in an article's text.

People are found in two passes over the runs of capitalised words (runs.py).

Pass one keeps a run (less leading words such as "The", "Afghan", "Former", "High-Speed", and
any title) as a full name when it starts with a known given name ("Donald Trump"), follows a
title ("President Vladimir Putin", "spokesperson Yuri Ushakov"), starts with an initial ("M.
Butcher") or is made of words the dictionary does not know ("Dmitry Zhirnov"). A given name that
is also an everyday word ("Will", "Love") needs a surname-like word after it.

Most of what looks like a name and is not is an organisation, a place or a thing, and is known
by its words (lists in search/data/, read by lexicon.py):
- an organisation or place word anywhere ("Bloomberg News", "Supreme Court", "Deutsche Boerse",
  "Nou Camp") or a brand ("Sony Ericsson", "Las Vegas Microsoft");
- a place first ("Boston Red Sox") or a known place or company phrase anywhere ("Hong Kong",
  "Merrill Lynch", "Aston Villa", "White Hart Lane");
- a last word that names a thing after a person ("Jesse Owens Award", "Hutton Inquiry",
  "Organised Crime Bill", "Jerry Springer Show"): the person keeps their own mentions;
- small words inside, as titles of works have ("Love Is The Drug", "Carry On");
- what stands around it: a kind of thing right before ("the band Franz Ferdinand"), a "The"
  inside a sentence ("starred in The Aviator"), or a lower-case title and a name after, which
  make it the employer ("Prebon Yamane economist Lena Komileva").
A name made only of words seen in an organisation's name ("Merrill Lynch & Co", "the band Franz
Ferdinand") is that organisation again. Headlines (all caps, or Title Case With Common Words)
and sports tables and fixtures prove nothing by their capitals and are skipped here, except that
a headline's lone unusual word that says or sees ("VOLCKER SEES ...", "Miyazawa says") is a person.

Pass two credits every other capitalised word that is part of a name from pass one to that
name: "Putin", "Putin's", "PUTIN" in a headline, "Vladimir" when no other Vladimir is named,
"KEVIN BROWN". So the article's own full names are the canonical names.

The rules and word lists are hand-written: the NER models that would do better are trained on
CoNLL/Reuters text whose licence forbids shipping them.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from search.extract.lexicon import (
    AMBIGUOUS_FIRST, CONNECTORS, MONTHS, NOT_FIRST, SURNAME_WORDS, WEEKDAYS, Lexicon, lexicon,
)
from search.extract.runs import (
    INITIAL_RE, LOWER_RE, NO_LINES, UP, Lines, Run, Token, find_runs, is_initial, split_pieces, split_tokens,
    word_before,
)

_COMPANY_END_RE = re.compile(r"\s*&|\s+and\s+Co\b|,?\s+(?:Inc|Ltd|Corp|Co|Plc|PLC|LLC|SA|AG|NV)\b")
_CAPITALISED_RE = re.compile(r"[^\W\d_]+")  # "LEIGH-PEMBERTON" -> "Leigh-Pemberton"
_LOWER_WORD_RE = re.compile(r"(?<![\w'’-])[a-z]+(?![\w'’-])")
_ROMAN = frozenset("ii iii iv v vi vii viii ix x xi xii xiii xiv xv xvi".split())
_DOTTED_ACRONYMS = frozenset({"u.s", "u.k", "u.n", "e.u", "u.s.a", "u.a.e", "a.m", "p.m"})
# "Hong Kong-based", "US-supported": a trailing lower-case part that is an ordinary word makes
# the word an adjective, not a name ("Kim In-so" and "Li Song-ho" keep theirs).
_HYPHEN_TAILS = frozenset("based led run era born owned backed style type like held made bound wide old".split())
# Words that start place names: "Port Calder", "Fort Worth", "Lake Geneva", "St Pauli".
_PLACE_PREFIXES = frozenset("port fort mount mt lake cape saint st santa sao".split())
# Capitalised inside a run, these make it the title of a work: "Love Is The Drug", "Carry On",
# "Jewel Of The Nile", "Wake Me Up". No name has them (connectors such as "de" aside).
_WORK_WORDS = frozenset(
    "is are was were be been am the of and or in on at to for from with by as into over up out off "
    "down again not no so if but it its me my you your we our us her his him they them this that all "
    "what who how when where why".split()
)
# Lower-case nouns before a capitalised run that make it the name of a thing, not of a person:
# "the band Franz Ferdinand", "the film Vera Drake", "the musical Mary Poppins".
# Nouns that are also verbs taking a person ("play", "phone", "book", "show") are left out.
_KIND_NOUNS = frozenset(
    "band group film movie musical album song single novel sitcom series drama documentary opera "
    "firm company magazine newspaper console handset".split()
)
# After a name, "I" is the pronoun when one of these follows ("to Nigel I want", "Anelka I will"),
# and otherwise a regnal number ("Pedro I became", "King Baudouin I born").
_I_VERBS = frozenset(
    "am 'm ’m will 'll ’ll would 'd ’d want wanted think thought have 've ’ve had can could do did don't "
    "didn't don’t didn’t know knew feel felt believe hope need must should may might just really also "
    "never always still say said told".split()
)
_NEXT_WORD_RE = re.compile(r"\s*([\w'’]+)")
_TITLE_AFTER_RE = re.compile(r" ([a-z][a-z-]+) (?=[A-Z])")
# Titles that in lower case are mostly adjectives: "the Asia Pacific general manager".
_NOT_TITLES = frozenset("major general chief executive".split())


# ---------------------------------------------------------------------------------------------
# Pass one: which runs are names


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
        """Whether `low` reads as an ordinary word here (see the class docstring)."""
        lex = self.lex
        if low in lex.basic:
            return True
        if not lex.is_common(low):
            return False
        if low not in lex.common:
            return True
        if low not in self.text:  # most such words: no need to list the text's words
            return False
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


def _is_compound(low: str, lex: Lexicon) -> bool:
    """"High-Speed", "Anti-Phishing", "US-China": ordinary words joined, not a double-barrelled name."""
    parts = low.split("-")
    return len(parts[-1]) > 3 and all(part and lex.is_common(part) and part not in lex.first for part in parts)


@functools.lru_cache(maxsize=65536)
def _droppable(word: str) -> bool:
    """A word that may stand before a name without being part of it: "The", "Afghan", "July"."""
    low, lex = word.lower(), lexicon()
    if "-" in low and (_is_adjective(word, lex) or _is_compound(low, lex)):
        return True
    if low in lex.first or low.rstrip(".") in _PLACE_PREFIXES or INITIAL_RE.fullmatch(word):
        return False
    if word[0].islower() or lex.is_people(low) or low in MONTHS or low in WEEKDAYS:
        return True
    return lex.is_common(low) and low not in CONNECTORS


def _trim(seg: list[Token], usage: _Usage, titled: bool) -> list[Token]:
    """The segment without leading common words and trailing dates, titles or connectors.

    After a title a last word that is a surname stays: "coach Smith", "c Knight".
    """
    i, j = 0, len(seg)
    keep_last = titled and seg and seg[-1].low in SURNAME_WORDS
    while i < j - keep_last and _droppable(seg[i].word):
        i += 1
    while j > i and (_trailing_noise(seg[j - 1], usage.lex) or _pronoun_i(seg[j - 1], usage.text)):
        j -= 1
    return seg[i:j]


def _pronoun_i(tok: Token, text: str) -> bool:
    """A last word "I" that is the pronoun ("... to Nigel I want"), not a number ("Pedro I")."""
    if tok.word != "I":
        return False
    after = _NEXT_WORD_RE.match(text, tok.end)
    return after is not None and after.group(1) in _I_VERBS


def _trailing_noise(tok: Token, lex: Lexicon) -> bool:
    """"... on Friday", "South Carolina Gov.": not part of a name at its end."""
    if tok.word[0].islower() or tok.low in MONTHS or tok.low in WEEKDAYS or tok.low[:-1] in WEEKDAYS:
        return True  # "on Friday", "Happy Mondays"
    if "-" in tok.word and tok.word.rpartition("-")[2] in _HYPHEN_TAILS:
        return True  # "Janet Jackson-style", but "Yoo Ji-chang"
    title = _title_of(tok.low)
    return bool(title) and title not in lex.loose_titles


def _plain(tok: Token) -> str:
    """The word in lower case without dots: "Corp." -> "corp", "S.A." -> "sa"."""
    return tok.low.replace(".", "") if "." in tok.low else tok.low


def _has_known_phrase(seg: list[Token], lex: Lexicon) -> bool:
    """Whether two or three words in a row are a known place or company ("Hong Kong", "San Diego
    Padres", "Merrill Lynch", "Aston Villa")."""
    if len(seg) < 2:
        return False
    lows = [_plain(t) for t in seg]
    for n in (2, 3):
        for i in range(len(lows) - n + 1):
            phrase = " ".join(lows[i : i + n])
            if phrase in lex.place_phrases or phrase in lex.company_phrases:
                return True
    return False


def _is_name(toks: list[Token], titled: bool, usage: _Usage) -> bool:
    """Whether trimmed capitalised words name a person (the pass-one rules of the module docstring)."""
    lex, common = usage.lex, usage.common
    lows = [_plain(t) for t in toks if t.low not in CONNECTORS or t is toks[-1]]
    if not lows or _names_other(lows, lex):
        return False
    first, last = lows[0], lows[-1]
    if len(lows) == 1:
        return titled and not _is_acronym(toks[0])
    initial = bool(INITIAL_RE.fullmatch(toks[0].word))
    is_first = first in lex.first and not initial
    if lex.is_place(last) and (initial or (not is_first and (first in lex.proper or common(first)))):
        return False  # "N. Korea", "Saint Petersburg"; but "Michael Jordan", "MaliVai Washington"
    if titled:
        return is_first or not all(common(w) for w in lows)
    if initial:
        return True
    surname_like = [w in SURNAME_WORDS or not common(w) for w in lows[1:]]
    ambiguous = first in AMBIGUOUS_FIRST or first in lex.basic  # "Will", "Love Train"
    if is_first and (not ambiguous or any(surname_like)):
        return True
    return not lex.is_common(first) and all(surname_like) and not any(lex.is_place(w) for w in lows[1:])


def _names_other(lows: list[str], lex: Lexicon) -> bool:
    """Words that make a run something other than a person wherever they stand ("Bloomberg News",
    "Vegas Microsoft"), as its last word ("Jesse Owens Award"), inside it ("Love Is The Drug")
    or first ("Boston Red Sox", "London Stock Exchange", "Kurds", "Port Calder")."""
    if any(w in lex.org or w in lex.brands for w in lows) or lows[-1] in lex.eponyms:
        return True
    if any(w in _WORK_WORDS for w in lows[1:]):
        return True
    return lex.is_place(lows[0]) or lows[0] in _PLACE_PREFIXES


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
        for k, (seg, titled) in enumerate(_segments(run, lex)):
            if not seg or _has_known_phrase(seg, lex):
                continue  # "Hong Kong", "San Diego Padres", "Merrill Lynch"
            toks = _trim(seg, usage, titled)
            if not toks:
                continue
            if _names_org(toks, text, lex) or (k == 0 and _names_a_thing(text, run, toks, lex)):
                company_words.update(_plain(t) for t in toks if _plain(t) not in lex.org)
                continue  # "Douglas & Lomason", "Bloomberg News", "the band Franz Ferdinand"
            if _is_name(toks, titled, usage) and not _employs(text, toks[-1].end, lex):
                words = tuple(t.word for t in toks)
                found.append(Mention(toks[0].start, toks[-1].end, words, titled))
    return [m for m in found if not _is_company(m, company_words)], company_words


def _names_a_thing(text: str, run: Run, toks: list[Token], lex: Lexicon) -> bool:
    """A noun such as "band" or "film" stands right before the run ("the band Franz Ferdinand"),
    or it starts with a capitalised "The" inside a sentence ("starred in The Aviator").

    A thing named after a person ("The Catherine Tate Show") is left to the eponym rule, so
    that the person keeps their name elsewhere in the text.
    """
    first = run.tokens[0]
    if _plain(toks[-1]) in lex.eponyms:
        return False
    if first.word == "The" and len(run.tokens) > 1:
        return not is_initial(text, first.start)
    return first.start > 2 and text[first.start - 2].islower() and word_before(text, first.start) in _KIND_NOUNS


def _employs(text: str, end: int, lex: Lexicon) -> bool:
    """A lower-case title and a name follow: the run is the employer ("Prebon Yamane economist
    Lena Komileva", "Diageo North America president Ivan Menezes")."""
    after = _TITLE_AFTER_RE.match(text, end)
    return after is not None and after.group(1) in lex.titles and after.group(1) not in _NOT_TITLES


def _names_org(toks: list[Token], text: str, lex: Lexicon) -> bool:
    """Ends in a word that names an organisation or a place, or stands before "& Co", "Ltd"."""
    return _plain(toks[-1]) in lex.org or bool(_COMPANY_END_RE.match(text, toks[-1].end))


def _is_company(m: Mention, company_words: set[str]) -> bool:
    """A name made only of words seen in an organisation's name: the organisation again."""
    lows = [w.lower() for w in m.words if w.lower() not in CONNECTORS]
    return all(w in company_words for w in lows)


_SPEECH = ("said|says|told|added|stated|warned|urged|insisted|claimed|noted|explained|replied|wrote|"
           "announced|admitted|denied")
_HEADLINE_VERBS = ("SAYS|SEES|URGES|WARNS|DENIES|BLASTS|EXPECTS|SEEKS|REFUSES|PLANS|CALLS|WANTS|REJECTS|ASKS|"
                   "TELLS|VOWS|PREDICTS")
_SPEAKER_RE = re.compile(
    rf"(?<![\w'’.-])([{UP}][\w'’-]+?)(?:['’]S)?\s+(?:{_SPEECH}|{_HEADLINE_VERBS})\b"
    rf"|\b(?:said|says)\s+([{UP}]\w+)(?=[\s.,;:!?]|$)"
    rf"|\s[-–]\s([{UP}][\w'’-]+)\s*$",  # "NO CLEAR EVIDENCE TRADE GAP REVERSED - VOLCKER"
    re.M,
)
# Surnames that are also everyday words but hardly ever say things as words: "BAKER SAYS".
_SPEAKING_SURNAMES = frozenset(
    "khan brown smith baker cook miller carter taylor walker wright clark clarke turner cooper ward "
    "hunter moore young wood woods bush gore dole rice mason knight bishop gray grey reed shaw fisher "
    "fletcher butler carpenter chandler warren weaver wheeler palmer porter kemp".split()
)


def _speakers(text: str, lines: Lines, lex: Lexicon) -> list[Mention]:
    """In a headline, lone unusual words that say or see: "VOLCKER SEES", "Miyazawa says".

    Headlines (and the first line, the title) often name a person by surname only, and the
    story may be a headline alone. In body text "Pirelli said" is as likely as "Parnevik said",
    so there the rule is not used. "Reuters said" and "Moscow says" are kept out by the
    organisation and place lists, "He said" and "Police said" by the dictionary. A word the
    body uses without ever naming a person by it ("Nissan said profits rose") is not one.
    """
    found = []
    headlines = sorted({0} | {line for line, weak in lines.kinds.items() if weak})  # known after find_runs
    for m in (m for line in headlines for m in _SPEAKER_RE.finditer(text, *lines.span(line))):
        group = next(g for g in (1, 2, 3) if m.group(g))
        word = m.group(group)
        low = word.lower()
        if len(low) < (5 if word.isupper() else 3) or (lex.is_common(low) and low not in _SPEAKING_SURNAMES):
            continue  # "USDA SAYS", "NYSE SAYS": short capitals are acronyms
        if lex.is_place(low) or low in lex.place_words or low in lex.org or low.endswith("bank"):
            continue  # "ZEALAND SAYS" (of "NEW ZEALAND SAYS"), "BUNDESBANK SAYS"
        if low in NOT_FIRST or (word.isupper() and LOWER_RE.search(text, max(0, m.start() - 40), m.end())):
            continue  # an acronym in ordinary text ("NATO said")
        found.append(Mention(m.start(group), m.end(group), (word,), True))
    return [m for m in found if not _used_elsewhere(text, lines, headlines, m.words[0])]


def _used_elsewhere(text: str, lines: Lines, headlines: list[int], word: str) -> bool:
    """Whether the word also appears outside the headlines (case aside)."""
    pattern = re.compile(rf"(?<![\w'’-]){re.escape(word)}(?![\w-])", re.IGNORECASE)
    return any(lines.index(m.start()) not in headlines for m in pattern.finditer(text))


# ---------------------------------------------------------------------------------------------
# Pass two: one name per person


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
            if not INITIAL_RE.fullmatch(name.split()[0]) and name not in self.by_first.get(first, ()):
                self.by_first.setdefault(first, []).append(name)
        self.parts = {name: {w.lower() for w in name.split()} for name in self.canonical.values()}
        self.words = {w for part in self.parts.values() for w in part}

    def _merge_initials(self) -> None:
        """"D. Fleming" is "Damien Fleming" when the article names him in full."""
        for (first, last), name in list(self.canonical.items()):
            if INITIAL_RE.fullmatch(name.split()[0]):
                full = [n for (f, l), n in self.canonical.items() if l == last and f[0] == first[0] and f != first]
                if len(full) == 1:
                    self.canonical[(first, last)] = full[0]

    def full(self, words: tuple[str, ...]) -> str:
        """The canonical name for a mention's words ("Putin" -> "Vladimir Putin")."""
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
        """The full names a word could stand for, by surname first."""
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
            tokens = split_tokens(match)
            split_pieces(tokens, NO_LINES, "")
            initial = tokens[0].low in AMBIGUOUS_FIRST and is_initial(match.string, match.start())
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
    if not cands or (i == 0 and run.initial and low not in names.by_last and low in AMBIGUOUS_FIRST):
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
    lines = Lines(text)
    runs, singles = find_runs(text, lines)
    found, company_words = _candidates(text, runs, lex)
    known = company_words | {w.lower() for m in found for w in m.words}
    found += [m for m in _speakers(text, lines, lex) if m.words[0].lower() not in known]
    mentions = _resolve(runs, singles, sorted(found, key=lambda m: m.start), lex)
    return [(m.start, m.end, m.name) for m in mentions]


def find_people(title: str, body: str) -> tuple[str, ...]:
    """Canonical full names of the people mentioned, in order of first mention."""
    text = f"{title or ''}\n\n{body or ''}" if isinstance(title, str) and isinstance(body, str) else ""
    return tuple(dict.fromkeys(name for _, _, name in find_person_spans(text)))


def link_across(people: list[tuple[str, ...]], texts: list[str]) -> list[tuple[str, ...]]:
    """People lists of articles from one file (a page and its related stories), each
    completed with the full names of its siblings whose surname it uses alone.

    A related story that only says "Putin" is about the Vladimir Putin the page names;
    a surname two of the file's people share is left alone.
    """
    surnames: dict[str, set[str]] = {}
    for name in {n for names in people for n in names if " " in n}:
        surnames.setdefault(name.rsplit(" ", 1)[1], set()).add(name)
    unique = {surname: next(iter(names)) for surname, names in surnames.items() if len(names) == 1}
    linked = []
    for names, text in zip(people, texts):
        have = set(names)
        extra = [full for surname, full in unique.items() if full not in have and _uses(text, surname)]
        linked.append(names + tuple(sorted(extra, key=lambda full: text.find(full.rsplit(" ", 1)[1]))))
    return linked


def _uses(text: str, surname: str) -> bool:
    """The surname as a capitalised word of its own (possessives too)."""
    return re.search(rf"(?<![\w-]){re.escape(surname)}(?![\w-]|['’][a-rt-z])", text) is not None
