"""Date filters accept ISO periods and the relative ones people say."""
from __future__ import annotations

from datetime import datetime

import pytest

import search
from search.ingest.dateline import dateline_date
from search.periods import period

NOW = datetime(2025, 7, 4, 15, 30)  # a Friday


@pytest.mark.parametrize("text, start, end", [
    ("2024", datetime(2024, 1, 1), datetime(2024, 12, 31, 23, 59, 59, 999999)),
    ("2019-02", datetime(2019, 2, 1), datetime(2019, 2, 28, 23, 59, 59, 999999)),
    ("2024-07-04", datetime(2024, 7, 4), datetime(2024, 7, 4, 23, 59, 59, 999999)),
    ("yesterday", datetime(2025, 7, 3), datetime(2025, 7, 3, 23, 59, 59, 999999)),
    ("last week", datetime(2025, 6, 23), datetime(2025, 6, 29, 23, 59, 59, 999999)),
    ("This Month", datetime(2025, 7, 1), datetime(2025, 7, 4, 23, 59, 59, 999999)),
    ("last year", datetime(2024, 1, 1), datetime(2024, 12, 31, 23, 59, 59, 999999)),
    ("past 30 days", datetime(2025, 6, 5), datetime(2025, 7, 4, 23, 59, 59, 999999)),
    ("2 weeks ago", datetime(2025, 6, 20), datetime(2025, 6, 20, 23, 59, 59, 999999)),
])
def test_periods(text, start, end):
    assert period(text, NOW) == (start, end)


@pytest.mark.parametrize("text", ["March", "2024-13", "next week", "24/7", ""])
def test_what_is_not_a_period_says_what_is(text):
    with pytest.raises(ValueError, match="last week"):
        period(text, NOW)


def test_the_filter_takes_relative_periods(make_index):
    today = datetime.now().strftime("%Y-%m-%dT09:00:00")
    index_dir = make_index([
        {"title": "Fresh harbour news", "body": "Today.", "published": today},
        {"title": "Old harbour news", "body": "Long ago.", "published": "2019-02-11"},
    ])
    assert [h.title for h in search.search(index_dir, "harbour", date_from="past 7 days").hits] == ["Fresh harbour news"]
    assert [h.title for h in search.search(index_dir, "harbour", date_to="2019-02").hits] == ["Old harbour news"]


@pytest.mark.parametrize("body, expected", [
    ("WASHINGTON, July 4, 2024 (Reuters) - The senate voted.", datetime(2024, 7, 4)),
    ("LONDON, 3 March - Shares fell.", datetime(2025, 3, 3)),
    ("PORT CALDER, Dec 24 — The ferry ran late.", datetime(2024, 12, 24)),
    ("The mayor said on March 3 that - nothing.", None),
    ("Plain story without a dateline.", None),
])
def test_a_dateline_dates_a_story(body, expected):
    assert dateline_date(body, NOW) == expected


def test_an_undated_story_with_a_dateline_is_dated_by_it(tmp_path):
    from search.ingest import read_file

    path = tmp_path / "story.txt"
    path.write_text("Ferry runs late\n\nPORT CALDER, March 3, 2024 - The ferry ran late again.\n")
    (article,) = read_file(path, "x/story.txt").articles
    assert (article.published, article.published_from, article.published_guess) == (datetime(2024, 3, 3), "dateline", False)
