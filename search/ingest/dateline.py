"""A dateline as publication-date evidence: "WASHINGTON, July 4, 2024 (Reuters) -" or
"LONDON, 3 March -" at the start of a story that has no explicit date."""
from __future__ import annotations

import re
from datetime import datetime

MONTHS = {m: n for n, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
MONTH = r"(?P<month>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)[a-z]*\.?"
PLACE = r"[A-Z][A-Za-z.'’ -]{1,40}"
DATELINE = re.compile(
    rf"^{PLACE},?\s+(?:{MONTH}\s+(?P<day>\d{{1,2}})|(?P<day2>\d{{1,2}})\s+{MONTH.replace('month', 'month2')})"
    rf"(?:,?\s+(?P<year>(?:19|20)\d\d))?\s*(?:\([A-Za-z .]+\))?\s*[-–—:]"
)


def dateline_date(body: str, reference: datetime) -> datetime | None:
    """The date a story's dateline gives; without a year, the latest one on or before the
    reference (the file's time). None when the story opens without a dateline."""
    match = DATELINE.match(body[:120])
    if not match:
        return None
    month = MONTHS[(match["month"] or match["month2"])[:3].lower()]
    day = int(match["day"] or match["day2"])
    year = int(match["year"]) if match["year"] else reference.year
    try:
        found = datetime(year, month, day)
        if not match["year"] and found > reference:
            found = found.replace(year=year - 1)
    except ValueError:  # 31 September, 29 February of a common year
        return None
    return found
