"""People and dates found in article text (search.extract)."""
from __future__ import annotations

import random
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from conftest import CORPUS, shared_path
from search.extract import find_dates, find_people, find_person_spans

DATA = Path(__file__).resolve().parent / "data"
SHARED = Path(__file__).resolve().parents[2] / "shared"
SEED = SHARED / "seeds" / "000_b41d69e35b5f90a6.txt"

SEED_PEOPLE = {
    "Amir Khan Muttaqi", "Dmitry Zhirnov", "Vladimir Putin", "Sergey Lavrov", "Donald Trump",
    "Yuri Ushakov", "Volodymyr Zelensky", "Joe Biden", "Yuliia Svyrydenko",
}
TWIN_PEOPLE = {"Tomasz Wrenfield", "Alina Castavet", "Oren Maddox", "Dana Pellworth", "Ilse Brandvold"}


def split_page(text: str) -> list[tuple[str, str]]:
    """A saved news page -> (title, body) of the main story and of each related story.

    The main story runs from the first line to the "Related Articles" block (page furniture
    such as "Hashtags" included, as ingest would keep it); each related story is the headline
    and body that follow a "- Source" line.
    """
    main, _, related = text.partition("Related Articles")
    title, _, body = main.partition("\n")
    stories = [(title, body)]
    for block in re.split(r"\n- \w+\n", related)[1:]:
        head, _, rest = block.strip().partition("\n")
        stories.append((head, rest))
    return stories


def assert_every_mention(text: str, people: set[str]) -> None:
    """Each occurrence of a person's surname lies inside a span credited to that person."""
    spans = find_person_spans(text)
    for name in people:
        surname = name.split()[-1]
        for m in re.finditer(rf"\b{surname}\b", text):
            credited = [n for s, e, n in spans if s <= m.start() < e]
            assert credited == [name], f"{surname!r} at {m.start()} credited to {credited}"


def check_page(path: Path, people: set[str], stories_on_page: int) -> None:
    """Per story and for the page as one text: exactly these people, every mention credited."""
    text = path.read_text(encoding="utf-8")
    stories = split_page(text)
    assert len(stories) == stories_on_page
    found: set[str] = set()
    for title, body in stories:
        names = find_people(title, body)
        assert len(names) == len(set(names))
        found.update(names)
    assert found == people
    assert set(find_people("", text)) == people
    assert_every_mention(text, people)


@pytest.mark.skipif(not SEED.exists(), reason="shared seeds not available (../shared)")
def test_seed_page_people():
    check_page(SEED, SEED_PEOPLE, stories_on_page=4)


def test_seed_like_page_people():
    check_page(DATA / "people_seed.txt", TWIN_PEOPLE, stories_on_page=3)


@pytest.mark.parametrize("body", [
    "President Vladimir Putin met envoys. Mr Putin said little.",
    "Russian President Vladimir Putin spoke. Later, President Putin left.",
    "Mr. Putin arrived first; Vladimir Putin left last.",
])
def test_titles_stripped(body):
    assert find_people("", body) == ("Vladimir Putin",)
    assert all(not text.startswith(("Mr", "President")) for text in _span_texts(body))


def _span_texts(text: str) -> list[str]:
    return [text[s:e] for s, e, _ in find_person_spans(text)]


@pytest.mark.parametrize("apostrophe", ["'", "’"])
def test_possessives(apostrophe):
    body = f"Joe Biden spoke. Biden{apostrophe}s aides were quiet, as was Biden{apostrophe} staff."
    assert find_people("", body) == ("Joe Biden",)
    assert _span_texts(body) == ["Joe Biden", "Biden", "Biden"]


def test_surname_before_and_after_full_name():
    body = "This is Biden's war, he said. Former President Joe Biden declined to answer. Biden left."
    spans = find_person_spans(body)
    assert [name for _, _, name in spans] == ["Joe Biden"] * 3


def test_first_name_only_when_unambiguous():
    body = "Coach Ilse Brandvold arrived. Ilse said she was ready."
    assert [n for _, _, n in find_person_spans(body)] == ["Ilse Brandvold", "Ilse Brandvold"]
    two = "Ilse Brandvold and Ilse Marquardt spoke. Ilse said nothing."
    assert find_people("", two) == ("Ilse Brandvold", "Ilse Marquardt")
    assert len(find_person_spans(two)) == 2


def test_all_caps_headline_and_dateline():
    title = "SOCCER - SHEARER NAMED AS ENGLAND CAPTAIN"
    body = "LONDON 1996-08-30\nEngland coach Glenn Hoddle named Alan Shearer as captain on Friday."
    assert find_people(title, body) == ("Alan Shearer", "Glenn Hoddle")
    assert find_people("PUTIN SNUBS WESTERN LEADERS", "The Kremlin said nothing.") == ()
    dateline = "WASHINGTON (Reuters) - Senator Mary Lowe said on Monday she would run."
    assert find_people("", dateline) == ("Mary Lowe",)


def test_title_case_headline_counts_only_known_names():
    title = "Kremlin Trolls Trump for Nagging Putin About Ceasefire Talks"
    body = "President Donald Trump called Vladimir Putin on Thursday."
    assert find_people(title, body) == ("Donald Trump", "Vladimir Putin")
    assert find_people(title, "No names here.") == ()


@pytest.mark.parametrize("org", [
    "Kremlin", "White House", "Fox News", "Sky", "Bloomberg News", "Truth Social", "Islamic State",
    "Supreme Court", "Sky News", "New York Times", "Saint Petersburg", "Sri Lanka", "Hong Kong",
])
def test_organisations_and_places_are_not_people(org):
    body = f"A statement from {org} on Monday was short. {org} said it would reply. The {org} had no comment."
    assert find_people("", body) == ()


def test_sentence_initial_common_words_are_not_names():
    body = "Buildings were wrecked. Some drones fell. The Attack Plan was leaked. Later Officials met."
    assert find_people("", body) == ()


def test_unknown_multiword_names_need_no_title():
    assert find_people("", "Trump plans to talk to Volodymyr Zelensky on Friday.") == ("Volodymyr Zelensky",)


def test_loose_titles_are_surnames_at_the_end():
    assert find_people("", "Prime Minister John Major said so. Author Stephen King agreed.") == (
        "John Major", "Stephen King")


def test_hard_wrapped_lines_keep_names_whole():
    body = ("U.S. Trade Representative Clayton\nYeutter said on Friday that the\n"
            "talks with Federal Reserve Board Chairman Paul\nVolcker went well.")
    assert find_people("YEUTTER SEES PROGRESS", body) == ("Clayton Yeutter", "Paul Volcker")


def test_headline_speaker_alone():
    assert find_people("VOLCKER SEES NO EVIDENCE OF TRADE TURN", "") == ("Volcker",)
    assert find_people("Miyazawa says rates will stay low", "") == ("Miyazawa",)
    assert find_people("USDA SAYS CROP LOWER", "") == ()
    assert find_people("PENNZOIL SAYS PROFIT ROSE", "Pennzoil Co said profit rose.") == ()
    assert find_people("NISSAN SAYS SALES ROSE", "Nissan said sales rose 10 pct.") == ()
    body = "Treasury Secretary James Baker said\nthe agreement is only a start, Baker said."
    assert find_people("BAKER SAYS G-6 PACT JUST A START", body) == ("James Baker",)


def test_companies_named_like_people():
    body = "Shares in Merrill Lynch & Co rose. Analysts at Merrill Lynch said the deal was fair."
    assert find_people("", body) == ()


def test_initials_and_scorecards():
    line = "Surrey 429-7 (C. Lewis 80 not out, M. Butcher 70), Ata-ur-Rehman c Knight b Hollioake 2"
    assert set(find_people("", line)) >= {"C. Lewis", "M. Butcher", "Knight", "Hollioake"}


def test_sports_tables_name_teams():
    table = "Leyton Orient 4 1 1 2 3 3 4\nGreenock Morton 1 Falkirk 0"
    assert find_people("", table) == ()


def test_hyphenated_adjectives_and_peoples():
    body = "The Hong Kong-based group and US-supported Mujahideen met Afghan Kurds in Kabul."
    assert find_people("", body) == ()


@pytest.mark.parametrize("body, people", [
    ("Lib Dems leader Charles Kennedy spoke. The Lib Dems said so.", ("Charles Kennedy",)),
    ("Calder Ferries will run extra sailings, operations manager Aisha Bello said.", ("Aisha Bello",)),
    ("Barcelona play at the Nou Camp on Sunday. Spurs lost at White Hart Lane.", ()),
    ("Shares in Deutsche Boerse fell and Sony Ericsson sold more phones, analysts at Merrill Lynch said.", ()),
    ("Fans of Aston Villa and Bayer Leverkusen travelled; an analyst at Forrester Research agreed.", ()),
    ("The Royal Highland Fusiliers will merge. Users of Internet Explorer were warned.", ()),
    ("A house in Beverly Hills. High-Speed Downlink Packet Access will speed up phones.", ()),
    ("The single Love Is The Drug was a hit and Carry On Matron was repeated.", ()),
    ("Nottm Forest v Peterborough\nArsenal v Wolverhampton", ()),
])
def test_organisations_places_and_works_named_like_people(body, people):
    assert find_people("", body) == people


@pytest.mark.parametrize("thing", [
    "Organised Crime Bill", "Marshall Plan", "Jesse Owens Award", "Hutton Inquiry", "Jerry Springer Show",
])
def test_things_named_after_people(thing):
    assert find_people("", f"The {thing} was in the news again. Nobody expected the {thing}.") == ()


def test_eponym_leaves_the_person():
    body = "The Jerry Springer Show was cancelled. Jerry Springer said he was sad."
    assert find_people("", body) == ("Jerry Springer",)


def test_kind_of_thing_before_a_name():
    body = "Tickets for the band Maxine Dorrit sold out. Maxine Dorrit will tour in May."
    assert find_people("", body) == ()
    assert find_people("", "She starred in The Aviator with Leonardo DiCaprio.") == ("Leonardo DiCaprio",)


def test_employer_before_title_and_name():
    assert find_people("", '"It is weak," said Prebon Yamane economist Lena Komileva.') == ("Lena Komileva",)


def test_peoples_and_parties_before_names_are_dropped():
    body = "New Zealander Graham Henry coached. Tory Dominic Grieve agreed. Teenager Sania Mirza won."
    assert find_people("", body) == ("Graham Henry", "Dominic Grieve", "Sania Mirza")


def test_pronoun_i_and_regnal_numbers():
    assert find_people("", "He said: \"I've told Nigel I want to be back playing.\"") == ()
    body = "In 1822 Pedro I became Emperor of Brazil. Belgian King Baudouin I was born in 1930."
    assert find_people("", body) == ("Pedro I", "Baudouin I")
    assert find_people("", "He loved Hank Williams Jr. He sang every night.") == ("Hank Williams Jr",)


def read_date_cases():
    cases = []
    for line in (DATA / "dates.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            published, expected, sentence = line.split("\t")
            pub = None if published == "-" else datetime.fromisoformat(published)
            cases.append((pub, expected, sentence))
    return cases


def test_date_set_score_and_traps():
    cases = read_date_cases()
    normal = [c for c in cases if c[1] != "trap"]
    traps = [c for c in cases if c[1] == "trap"]
    assert len(normal) >= 60 and len(traps) >= 15
    correct = 0
    for pub, expected, sentence in normal:
        got = " ".join(f"{d.value}/{d.granularity}" for d in find_dates(sentence, pub))
        correct += got == expected
    assert correct / len(normal) >= 0.95
    matched = [(s, find_dates(s, pub)) for pub, _, s in traps if find_dates(s, pub)]
    assert matched == []


def test_date_mention_fields():
    text = "In July 2024, Russian President Vladimir Putin spoke."
    (mention,) = find_dates(text, datetime(2025, 7, 4))
    assert (mention.text, mention.value, mention.granularity) == ("July 2024", "2024-07", "month")
    assert text[mention.start : mention.start + len(mention.text)] == "July 2024"


def test_relative_dates_need_publication():
    text = "On Thursday, in August 2021 and last October, yesterday too."
    assert [d.value for d in find_dates(text, None)] == ["2021-08"]
    aware = datetime(2025, 7, 4, 23, 30, tzinfo=timezone.utc)
    assert [d.value for d in find_dates(text, aware)] == ["2025-07-03", "2021-08", "2024-10", "2025-07-03"]


def test_modal_may_and_verb_march():
    pub = datetime(2024, 6, 1)
    assert find_dates("The council may vote; protesters will march.", pub) == ()
    values = [d.value for d in find_dates("Held in May 2024, on May 3 and in May.", pub)]
    assert values == ["2024-05", "2024-05-03", "2024-05"]


GARBAGE = [
    "", " ", "\n\n\n", "\x00\x01\x02", "'s", "’", "Mr", "Mr.", "President", "A. B. C. D.", "...",
    "\ud800 lone surrogate", "🙂 Emoji Name 🙂", "İstanbul ǅemal Ǉubo", "al- el- d'", "2024-", "-2024",
    "May", "may May MAY", "31 February 2024", "February 30", "0000-00-00", "9999-99-99", "1994-95-96",
    "O'", "Mc", "de la", "bin", "Van Der", "J. J. J. J.", "THE END", "X" * 10_000, "A b " * 1_000,
]


@pytest.mark.parametrize("text", GARBAGE)
def test_never_raises_on_odd_text(text):
    assert isinstance(find_people(text, text), tuple)
    assert isinstance(find_dates(text, datetime(2024, 2, 29)), tuple)
    assert isinstance(find_dates(text, None), tuple)


def test_absurd_publication_dates_do_not_overflow():
    text = "It happened yesterday, on Monday, next year and last October, and on July 4."
    for published in (datetime.min, datetime.max, datetime(1, 1, 1), datetime(9999, 12, 31)):
        assert isinstance(find_dates(text, published), tuple)


def test_never_raises_on_random_text():
    rng = random.Random(20240229)
    alphabet = "aAbBzZ .,;:'’\"-–\n\t()0123456789/$%MrPresidentJulyMay"
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 300)))
        find_people(text, text[::-1])
        find_dates(text, datetime(2020, 1, 1))


def test_link_across_gives_a_story_its_siblings_full_names():
    from search.extract import link_across

    people = [("Elena Varga", "Rahul Menon"), ("Aisha Bello",), ("Tom Varga", "Ana Varga")]
    texts = ["Mayor Elena Varga and Rahul Menon.", "Bello said Menon's plan works; Varga agreed.", "Varga."]
    linked = link_across(people[:2], texts[:2])
    assert linked == [("Elena Varga", "Rahul Menon"), ("Aisha Bello", "Rahul Menon", "Elena Varga")]
    assert link_across(people, texts)[1] == ("Aisha Bello", "Rahul Menon")  # three Vargas: ambiguous


def pattern_matches_both_ways(texts: list[str]) -> None:
    """Each date pattern finds in each text what its plain finditer finds."""
    from search.extract import dates

    for kind, pattern in dates._DATE_PATTERNS:
        for text in texts:
            quick = [(m.span(), m.groupdict()) for m in dates._matches(kind, pattern, dates._Places(text))]
            assert quick == [(m.span(), m.groupdict()) for m in pattern.finditer(text)], (kind, text[:80])


def test_date_patterns_are_tried_only_where_they_can_start():
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(CORPUS.rglob("*.txt"))]
    texts += [sentence for _, _, sentence in read_date_cases()]
    texts += ["in\n\n  the end of  April", "By the start of MAY, 1990s", "x2024-05-06 2024-05-06x 2024-05-06",
              "Since  Monday; next Friday; THIS SUNDAY", "April, in April and in May.", "'90s and ’80s, $1990 #2001",
              "December's vote, in Sept. 4 and 4th of Sept, JUNE 2024 yesterday; TODAY; Last  Month"]
    assert len(texts) > 100
    pattern_matches_both_ways(texts)


def test_date_patterns_find_at_their_places_what_finditer_finds_in_random_text():
    """Random mixes of the words dates are made of, with letters that casefold oddly."""
    rng = random.Random(20261129)
    words = ["May", "MAY", "may", "Sept.", "SEP", "march", "4", "31st", "of", " ", "  ", "\n", "1990s", "'90s",
             "’80s", "0s", "2024-05-06", "2024-13-01", "-", "-0", "LAST", "Last", "this", "next", "year", "YEARS",
             "month", "TODAY", "tomorrow", "yesterday", "yeſterday", "Monday", "MONDAY", "Sundays", "day", "ß", "İ",
             "x", ",", ".", "15", "1566", "1999", "2020", "1994-95", "the end of", "in", "April's", "Wednesday", "$", "/"]
    texts = ["".join(rng.choice(words) + rng.choice(["", " "]) for _ in range(rng.randrange(1, 25)))
             for _ in range(3000)]
    pattern_matches_both_ways(texts)


def test_date_patterns_on_real_news():
    folder = shared_path("corpora", "bbc")
    files = sorted(folder.rglob("*.txt"))
    assert len(files) > 1000
    pattern_matches_both_ways([p.read_text(encoding="utf-8", errors="replace") for p in files[::7]])


def test_trigger_word_starts_a_word():
    monday = datetime(2025, 7, 7)
    assert [d.value for d in find_dates("The teams that outlast Monday will advance.", monday)] == ["2025-07-07"]
    assert [d.value for d in find_dates("The teams that last Monday played.", monday)] == ["2025-06-30"]


def runs_found_both_ways(texts: list[str]) -> None:
    """runs_in finds, from the capitals, the runs of capitalised words the run pattern's finditer finds."""
    from search.extract.runs import _RUN_RE, runs_in

    for text in texts:
        assert [m.span() for m in runs_in(text)] == [m.span() for m in _RUN_RE.finditer(text)], text[:80]


def test_runs_are_found_from_their_capitals():
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(CORPUS.rglob("*.txt"))]
    texts += ["Charles de Gaulle met de la Fuente, bin al-Assad and d'Estaing.", "xal-Assad anti-Putin van\n\nGogh",
              "(de Gaulle) “van der Sar” PAUL\n\nde  Gaulle", "de\n   Gaulle, della Robbia", "Jean-Pierre O'Neill J. F.W. Smith"]
    rng = random.Random(20261129)
    words = ["van", "von", "de", "la", "del", "della", "bint", "al", "al-", "el-", "d'", "d’", "d-", "bin", "ten", "Putin",
             "J.", "F.W.", "U.S.", "O'Neill", "Jean-Pierre", "al-Assad", "In-so", "Songo'o", "the", "said", ".", ",", "  ",
             "    ", "\n", "\n\n", "\u00a0", "\t", "'", "’s", "-", "x", "Gaulle", "THE", "É", "ǅ", "a", "d", "(", "anti-", "xal-"]
    texts += ["".join(rng.choice(words) + rng.choice(["", " ", " ", "\n", "\t", "  "]) for _ in range(rng.randrange(1, 12)))
              for _ in range(5000)]
    runs_found_both_ways(texts)


def test_runs_are_found_from_their_capitals_in_real_news():
    files = sorted(shared_path("corpora", "bbc").rglob("*.txt"))
    runs_found_both_ways([p.read_text(encoding="utf-8", errors="replace") for p in files[::3]])
