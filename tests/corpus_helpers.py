"""Corpora the story and coordination tests share."""

from __future__ import annotations

import datetime as dt
import random

VOCABULARY = [
    "garden",
    "library",
    "school",
    "market",
    "bakery",
    "tram",
    "museum",
    "park",
    "pool",
    "clinic",
    "theatre",
    "bus",
    "lamp",
    "street",
    "river",
    "choir",
    "chess",
    "football",
    "tennis",
    "concert",
    "exhibition",
    "cinema",
    "parking",
    "recycling",
    "water",
    "heating",
    "roof",
]
HEADLINES = [
    "Harbour workers begin three-day strike over pay",
    "Parliament approves emergency budget for flood relief",
    "Health ministry extends measles vaccination campaign",
    "Old railway bridge closed after inspectors find cracks",
    "Drought forces farmers to cut wheat planting",
    "Court opens trial of former mayor on bribery charges",
    "Two regional banks agree to merge",
    "Summer music festival cancelled over safety concerns",
    "Wildfire near the coast prompts evacuation of villages",
    "City council votes to ban cars from the old town",
]


def wire_and_locals(events: int = 10, seed: int = 3) -> list[dict[str, str]]:
    """Two outlets run one agency's copy 4 minutes apart, event after event; six local outlets
    cover each event later in their own words and publish their own notices all morning, so the
    wires are never alone at the moment they publish."""
    rng = random.Random(seed)
    rows: list[dict[str, str]] = []
    for k, headline in enumerate(HEADLINES[:events]):
        start = dt.datetime(2024, 5, 1 + k, 9, 0, tzinfo=dt.UTC)
        wire = f"{headline}. Officials confirmed it on Monday, according to a statement sent to news agencies."
        for outlet, minutes in (("Wire One", 0), ("Wire Two", 4)):
            when = (start + dt.timedelta(minutes=minutes)).isoformat()
            rows.append({"title": headline, "text": wire, "outlet": outlet, "published": when})
        for j in range(6):
            when = (start + dt.timedelta(minutes=rng.randint(60, 60 * 30))).isoformat()
            text = f"{headline}: people in district {j} told our reporter what it means for them, {j + k} said."
            rows.append({"title": headline, "text": text, "outlet": f"Local {j}", "published": when})
            for m in range(6):
                when = (start + dt.timedelta(minutes=rng.randint(-180, 180))).isoformat()
                notice = " ".join(rng.sample(VOCABULARY, 12))
                rows.append({"text": f"Notice {k}-{j}-{m}: {notice}.", "outlet": f"Local {j}", "published": when})
    return rows


SAID = [
    "The government spent 40 million euros on the new border fence last year.",
    "Unemployment in the region rose to 12 percent in March, according to the statistics office.",
    "NATO has deployed 3,000 additional troops to the eastern border this month.",
]
SAID_AGAIN = [
    "Last year the government paid 40 million euros for the new fence on the border.",
    "According to the statistics office, regional unemployment climbed to 12 percent in March.",
    "This month NATO sent 3,000 more troops to its eastern border.",
]
AROUND = [
    "Local residents gathered in the square on Sunday.",
    "The weather was mild for the season.",
    "Reporters waited outside the building.",
]


def claim_articles(first: int, count: int) -> list[dict[str, str]]:
    """Outlets repeating three claims, word for word or in other words, amid small talk."""
    rows = []
    for i in range(first, first + count):
        claim = (SAID if i % 2 == 0 else SAID_AGAIN)[i % 3]
        rows.append(
            {
                "text": f"{AROUND[i % 3]} {claim} {AROUND[(i + 1) % 3]} Article {i} ends here.",
                "title": f"Report {i}",
                "outlet": f"Outlet {i % 4}",
                "published": f"2024-05-{1 + (i // 3) % 28:02d}T{10 + i % 3}:00:00Z",
            }
        )
    return rows
