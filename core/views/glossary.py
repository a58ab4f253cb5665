"""The plain-words glossary on Data & methods, and the help-text links that point into it.

Method names (E2SFCA, HHI, MCLP...) stay out of page text; a page says what a number means for a person, and its
help icon links here for the method.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

PAGE_PATH = "/data-methods"


@dataclass(frozen=True)
class Term:
    anchor: str
    term: str
    plain: str


TERMS = (
    Term("places-per-1000", "Weekly places per 1,000 residents (E2SFCA)",
         "How many weekly places in community programmes are within a walk of the residents, per 1,000 of them. "
         "Each programme's places are shared among everyone within its walk, and nearer residents count more "
         "(the enhanced two-step floating catchment area method, E2SFCA; Luo & Qi 2009). A shorter walk can raise "
         "an area's figure, because each programme's places are then shared among fewer people."),
    Term("distance-decay", "Nearer counts more (distance decay)",
         "How much a place further away counts. By default a place in the nearest third of the walk counts fully, "
         "in the middle third 0.68, and in the furthest third 0.22 (Luo & Qi's step weights 1.00/0.68/0.22). "
         "'Smoothly' uses a Gaussian curve; 'the same' counts every place fully (the classic 2SFCA)."),
    Term("reach", "Within reach",
         "A resident is within reach when their census tract's centre is within the chosen walk of at least one "
         "counted programme."),
    Term("percentile", "Percentile",
         "Where an area sits among the city's areas: 0 is the lowest value, 100 the highest. The need index ranks "
         "ties at the lowest rank, as the CDC/ATSDR Social Vulnerability Index does; Compare and the brief place "
         "tied areas at their middle rank, and an area equal to the city median on the median."),
    Term("thirds", "High, middle and low thirds (terciles)",
         "The areas split into three equal groups by percentile: below 33.3 low, below 66.7 middle, otherwise high. "
         "'Priority areas' are in the high third for need and the low third for coverage."),
    Term("concentration", "Funder concentration (HHI)",
         "How much a programme relies on few funders, from 0 (many small funders) to 1 (one funder pays for "
         "everything): the Herfindahl–Hirschman index, the sum of the squared shares of each funder. Above 0.25 "
         "counts as concentrated."),
    Term("runway", "Runway",
         "The months until a programme's committed funding falls below half of its annual budget. 12 months or "
         "less counts as at risk."),
    Term("site-choice", "How new sites are chosen (MCLP)",
         "The Plan page tries every combination of the candidate venues and keeps the one that brings the most "
         "need-weighted residents within reach (the maximal covering location problem, solved exactly with PySAL "
         "spopt and the CBC solver). It also shows a simpler method that adds the best single site one at a time "
         "(a 'greedy' choice), so you can see what the exact search gains."),
    Term("similar-areas", "Areas most like this one",
         "Areas whose need indicators and population mix (age, language at home, race and ethnicity) are closest: "
         "each measure is put on the same scale (z-scores) and the areas compared by straight-line (Euclidean) "
         "distance across all of them."),
    Term("population", "Residents (2020 Census) and residents (tract sum)",
         "Two resident counts, one per purpose. '2020 Census' is the area's published total: who lives there. "
         "'Tract sum' adds up the area's census tracts, the residents the coverage method places on the map, so "
         "that counts in and out of reach add up. They differ a little because tract and area boundaries do not "
         "match exactly and the tract figures are survey estimates."),
)
BY_ANCHOR = {t.anchor: t for t in TERMS}


def link(anchor: str, text: str = "What this means") -> str:
    """A markdown link to one glossary entry, for a help icon's text."""
    if anchor not in BY_ANCHOR:
        raise KeyError(f"no glossary entry {anchor!r}")
    return f"[{text}]({PAGE_PATH}#{anchor})"


def help_text(anchor: str, text: str = "") -> str:
    """Help-icon text: an optional sentence, then the link to the glossary entry."""
    return (text + "\n\n" if text else "") + link(anchor, "Glossary: " + BY_ANCHOR[anchor].term)


def glossary_html() -> str:
    """The glossary as a definition list (for the brief or an export); the page draws it as anchored headings."""
    items = "".join(f'<dt id="{t.anchor}"><strong>{escape(t.term)}</strong></dt><dd>{escape(t.plain)}</dd>'
                    for t in TERMS)
    return f'<dl class="atlas-glossary">{items}</dl>'
