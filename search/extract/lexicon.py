"""The words the people and date rules consult, read once per process.

Most come from the files in search/data/ (sources and licences in its README.md): a dictionary
and the everyday words it lacks, given names, titles, organisation words, words that name things
after people, companies and brands, places and peoples. The short hand-written sets here
are the ones both the run splitter (runs.py) and the name rules (people.py) need; a set used by
one module only lives in that module, next to the rule it serves.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# Given names in the lists that start place names, team names or titles far more often than names
# ("Shadow Home Secretary").
NOT_FIRST = frozenset(
    MONTHS + WEEKDAYS + ("north", "south", "east", "west", "saint", "san", "santa", "shadow", "red", "star", "urban")
)
# Lower-case words inside names: "Vincent van Gogh", "Bashar al-Assad", "Osama bin Laden".
CONNECTORS = frozenset("van von de der den del della di da du dos das le la bin bint ibn al el ter ten zu wa".split())
# Given names that are also everyday words: alone they start a name only before an unusual word.
AMBIGUOUS_FIRST = frozenset(
    "will mark bill frank grant guy rose hope joy faith grace jack pat sue rich rusty red dawn may june "
    "april august art chip chuck dick drew earl gene gay glen hunter ivy lily lane major mason miles penny "
    "ray rob robin rock sandy skip sky stone summer wade walker ward wood woody young rod reed holly "
    "heather iris ruby pearl amber crystal violet daisy olive ginger cliff dale dean earnest hale harmony "
    "honor jewel king lance noble page price royal sterling storm trinity chase christian cash fox gray "
    "grey hawk brook brooks bud buck dusty happy lucky sunny merry misty sonny star roman tiger west "
    "north south east long early black white brown green gold silver carol bishop baker cook porter "
    "hall gale fairy angel autumn winter spring river ocean rain snow coy ali".split()
)
# Everyday words that are also common surnames: "Moin Khan", "Zinzan Brooke", "Olo Brown".
SURNAME_WORDS = frozenset(
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
_SUFFIXES = (("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e"))
# The dictionary spells American: British news writes "organised", "labour", "centre", "defence",
# "travelled", and those words would otherwise look like surnames.
_BRITISH = tuple((re.compile(pattern), american) for pattern, american in (
    (r"is(e|ed|es|ing|ation|ations)$", r"iz\1"),  # organised -> organized
    (r"ys(e|ed|es|ing)$", r"yz\1"),  # analyse -> analyze
    (r"our(s|ed|ing|ite|ites|able)?$", r"or\1"),  # labour -> labor
    (r"tre(s)?$", r"ter\1"),  # centre -> center
    (r"ence(s)?$", r"ense\1"),  # defence -> defense
    (r"ll(ed|ing|er|ers)$", r"l\1"),  # travelled -> traveled
    (r"ogue(s)?$", r"og\1"),  # catalogue -> catalog
))


def _read_list(name: str) -> list[str]:
    """Non-empty, non-comment lines of a shipped data file; none when it is missing."""
    try:
        text = (DATA / name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    return [s for s in (line.strip() for line in text.splitlines()) if s and not s.startswith("#")]


@dataclass(frozen=True, slots=True)
class Lexicon:
    """The word sets the people rules consult, all lower case."""

    common: frozenset[str]  # dictionary words written in lower case: "trump", "state", "news"
    basic: frozenset[str]  # the 850 words of Basic English: ordinary wherever they appear
    proper: frozenset[str]  # dictionary words written capitalised: "moscow", "islamic", "joe"
    first: frozenset[str]  # given names that are not also places, brands, months or weekdays
    titles: frozenset[str]  # "president", "coach": a name follows them
    loose_titles: frozenset[str]  # titles that are also surnames ("major", "king")
    org: frozenset[str]  # words that make a run an organisation or a place: "news", "court"
    eponyms: frozenset[str]  # last words that name a thing after a person: "award", "show", "bill"
    brands: frozenset[str]  # companies and brands that name products: "sony", "nintendo"
    company_phrases: frozenset[str]  # companies named like people: "merrill lynch", "dow jones"
    places: frozenset[str]  # one-word places: "jordan", "moscow"
    peoples: frozenset[str]  # peoples and their adjectives: "afghan", "kurd"
    place_phrases: frozenset[str]  # several-word places: "sri lanka", "hong kong"
    place_words: frozenset[str]  # the words of those: "lanka", "kong"
    _memo: dict = field(default_factory=dict)

    def is_common(self, low: str) -> bool:
        """A dictionary word, allowing for the plural and -ed/-ing forms and the British spellings
        the list lacks."""
        known = self._memo.get(low)
        if known is None:
            if len(self._memo) > 100_000:
                self._memo.clear()  # bounded: a long indexing run meets ever new words
            known = self._inflected(low) or any(
                self._inflected(us) for us in (pattern.sub(repl, low) for pattern, repl in _BRITISH) if us != low
            )
            self._memo[low] = known
        return known

    def _inflected(self, low: str) -> bool:
        """The word or its stem is in the dictionary ("cables", "walked")."""
        return low in self.common or any(
            low.endswith(end) and len(low) > len(end) + 2 and low[: -len(end)] + repl in self.common
            for end, repl in _SUFFIXES
        )

    def is_people(self, low: str) -> bool:
        """A people or its adjective, "Kurds" as well as "Kurd"."""
        return low in self.peoples or (low[-1:] == "s" and low[:-1] in self.peoples)

    def is_place(self, low: str) -> bool:
        """A place, a people or a people's adjective."""
        return low in self.places or self.is_people(low)


@functools.cache
def lexicon() -> Lexicon:
    """Loads the shipped lists once; a missing file leaves its set empty rather than failing."""
    words = _read_list("words/en") + _read_list("words/en-basic") + _read_list("common_words.txt")
    place_lines = [p.lower() for p in _read_list("places.txt")]
    places = frozenset(p for p in place_lines if " " not in p)
    peoples = frozenset(p.lower() for p in _read_list("peoples.txt"))
    titles = [t.lower() for t in _read_list("titles.txt")]
    companies = [c.lower() for c in _read_list("companies.txt")]
    brands = frozenset(c for c in companies if " " not in c)
    names = _read_list("names/male.txt") + _read_list("names/female.txt") + _read_list("first_names.txt")
    return Lexicon(
        common=frozenset(w for w in words if w[:1].islower()),
        basic=frozenset(w.lower() for w in _read_list("words/en-basic")),
        proper=frozenset(w.lower() for w in words if w[:1].isupper()),
        first=frozenset(n.lower() for n in names) - places - peoples - brands - NOT_FIRST,
        titles=frozenset(t.rstrip("*") for t in titles),
        loose_titles=frozenset(t.rstrip("*") for t in titles if t.endswith("*")),
        org=frozenset(w.lower() for w in _read_list("org_words.txt")),
        eponyms=frozenset(w.lower() for w in _read_list("eponyms.txt")),
        brands=brands,
        company_phrases=frozenset(c for c in companies if " " in c),
        places=places,
        peoples=peoples,
        place_phrases=frozenset(p for p in place_lines if " " in p),
        place_words=frozenset(w for p in place_lines if " " in p for w in p.split()),
    )
