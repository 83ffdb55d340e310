"""People and dates named in an article's text.

    people.py   full names of the people mentioned, one canonical name per person
    runs.py     the capitalised runs of a text that people.py reads, headlines and tables marked
    dates.py    dates mentioned, resolved against the publication date
    lexicon.py  the word lists both consult, read once per process from search/data/

Neither public function raises on any str input; both are pure Python with precompiled regexes
and set look-ups.
"""
from search.extract.dates import find_dates
from search.extract.people import find_people, find_person_spans, link_across

__all__ = ["find_dates", "find_people", "find_person_spans", "link_across"]
