"""The indicators the atlas carries: id, label, unit, direction, domain and which need-index domain they feed."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class IndicatorSpec:
    indicator_id: str
    label: str
    unit: str
    higher_is: str | None
    domain: str
    in_need_index: bool
    definition: str


# Need-index domains follow DESIGN §3: mental-health need; social vulnerability; barriers.
CATALOG: list[IndicatorSpec] = [
    IndicatorSpec("unmet_need", "Unmet mental-health treatment need", "% of adults in distress", "worse", "need", True,
                  "Estimated percent of adults aged 18+ with moderate or serious psychological distress who are not "
                  "taking medicine or receiving treatment for a mental-health condition (Healthy Chicago Survey)."),
    IndicatorSpec("loneliness", "Adult loneliness", "% of adults", "worse", "need", True,
                  "Percent of adults who reported being lonely, from how often they felt they lacked companionship, "
                  "felt left out, and felt alone (Healthy Chicago Survey)."),
    IndicatorSpec("suicide_rate", "Suicide mortality rate", "deaths per 100,000", "worse", "need", True,
                  "Suicide deaths per 100,000 residents (IDPH death certificates). Rates on fewer than 20 deaths are "
                  "flagged unstable (CDC WISQARS practice); the death count is estimated as rate × population × years."),
    IndicatorSpec("svi", "Social Vulnerability Index", "percentile", "worse", "vulnerability", True,
                  "CDC/ATSDR Social Vulnerability Index 2020, overall percentile ranking."),
    IndicatorSpec("unemployment", "Unemployment", "% of labour force", "worse", "vulnerability", True,
                  "Percent of the civilian labour force aged 16+ who are unemployed (ACS)."),
    IndicatorSpec("limited_english", "Limited English proficiency", "% of residents", "worse", "barrier", True,
                  "Percent of residents aged 5+ who speak English less than 'very well' (ACS B16004)."),
    IndicatorSpec("uninsured", "Uninsured", "% of residents", "worse", "barrier", True,
                  "Residents without health insurance (ACS B27001/C27001) divided by the area population."),
    IndicatorSpec("disability", "Disability", "% of residents", "worse", "barrier", True,
                  "Percent of residents with one or more sensory disabilities or difficulties with everyday tasks (ACS S1810)."),
    IndicatorSpec("poverty", "Poverty", "% of residents", "worse", "barrier", True,
                  "Percent of residents with income below the federal poverty level (ACS B17001)."),
    IndicatorSpec("bh_treatment", "Behavioural-health treatment", "% of adults", "better", "need", False,
                  "Percent of adults currently receiving behavioural-health treatment (Healthy Chicago Survey); "
                  "published for only some areas, with a wide 90% margin of error."),
    IndicatorSpec("share_65plus", "Residents aged 65+", "% of residents", None, "demographic", False,
                  "Residents aged 65 and over as a share of the total population (ACS 2016-2020 via CMAP)."),
    IndicatorSpec("non_english_home", "Speak a language other than English at home", "% of residents 5+", None,
                  "demographic", False,
                  "Residents aged 5+ who speak a language other than English at home (ACS 2016-2020 via CMAP)."),
]

AGE_BANDS = [("UND5", "Under 5"), ("A5_19", "5 to 19"), ("A20_34", "20 to 34"), ("A35_49", "35 to 49"),
             ("A50_64", "50 to 64"), ("A65_74", "65 to 74"), ("A75_84", "75 to 84"), ("OV85", "85 and over")]
RACE_GROUPS = [("WHITE", "White (non-Hispanic)"), ("HISP", "Hispanic or Latino"), ("BLACK", "Black (non-Hispanic)"),
               ("ASIAN", "Asian (non-Hispanic)"), ("OTHER", "Other or multiple (non-Hispanic)")]

for code, label in AGE_BANDS:
    CATALOG.append(IndicatorSpec(f"age_{code.lower()}", f"Age {label}", "% of residents", None, "demographic", False,
                                 f"Residents aged {label.lower()} as a share of the total population (ACS 2016-2020 via CMAP)."))
for code, label in RACE_GROUPS:
    CATALOG.append(IndicatorSpec(f"race_{code.lower()}", label, "% of residents", None, "demographic", False,
                                 f"Residents who are {label} as a share of the total population (ACS 2016-2020 via CMAP)."))

NEED_INDEX_IDS = [s.indicator_id for s in CATALOG if s.in_need_index]


def catalog_frame() -> pd.DataFrame:
    """The catalogue as rows, in display order."""
    df = pd.DataFrame([s.__dict__ for s in CATALOG])
    df["sort_order"] = range(len(df))
    return df
