"""The Funding page's sustainability self-assessment: PSAT scores by programme and area, beside runway and concentration.

Programmes are not people, and PSAT scores and funding figures count neither, so nothing here needs suppressing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.analysis import funding as fu
from core.analysis import sustainability as su
from core.analysis.suppression import safe_csv

HELP = ("The Program Sustainability Assessment Tool (PSAT, Luke et al. 2014, sustaintool.org) scores eight domains "
        "from 1 to 7; the overall score is their mean and the weakest domains are where to act first. Capacity "
        f"risk: an overall score below {su.LOW_CAPACITY:g} (the scale's midpoint; the atlas's threshold, not the "
        f"tool's). Money risk: a runway of {fu.AT_RISK_MONTHS} months or less, or reliance on few funders above "
        f"{fu.CONCENTRATION_THRESHOLD:g}. Only programmes that have assessed themselves are listed.")
SHORT = {c: label.replace("Organizational", "Org.").replace("Environmental", "Env.") for c, label in
         su.PSAT_DOMAINS.items()}


@dataclass
class Sustainability:
    programmes: pd.DataFrame
    areas: pd.DataFrame
    assessed: int
    total: int
    both: int


def sustainability_of(data) -> Sustainability:
    """From the Funding page's :class:`core.views.funding.FundingData` (active programmes, funding, as-of date)."""
    scores = su.program_scores(data.programs)
    money = fu.program_metrics(data.programs, data.funding, data.as_of)
    joined = su.money_and_capacity(scores, money)
    lookup = data.programs.set_index("program_id")
    table = pd.DataFrame({"Programme": joined["program_id"].map(lookup["name"]).to_numpy(),
                          "Area": joined["program_id"].map(lookup["area_name"]).to_numpy(),
                          "Assessed": pd.to_datetime(joined["assessed"]).dt.strftime("%Y-%m-%d").to_numpy()})
    for column, label in SHORT.items():
        table[label] = joined[column].round(1).to_numpy()
    table["Overall"] = joined["overall"].round(2).to_numpy()
    table["Weakest domain"] = joined["weakest"].to_numpy()
    table["Runway (months)"] = joined["runway_months"].to_numpy()
    table["Reliance on few funders (0–1)"] = joined["hhi"].round(2).to_numpy()
    table["Money risk"] = np.where(joined["money_risk"], "Yes", "No")
    table["Capacity risk"] = np.where(joined["capacity_risk"], "Yes", "No")
    order = np.lexsort((table["Programme"].astype(str).to_numpy(), joined["overall"].to_numpy(dtype=float),
                        (~joined["both"].to_numpy(dtype=bool)).astype(int)))
    table = table.iloc[order].reset_index(drop=True)
    a = su.area_scores(scores, data.areas)
    areas = pd.DataFrame({"Area": a["name"], "Programmes assessed": a["assessed"]})
    for column, label in SHORT.items():
        areas[label] = a[column].round(1)
    areas["Overall"] = a["overall"].round(2)
    areas["Weakest domain"] = a["weakest"]
    areas["Programmes at capacity risk"] = a["capacity_risk_programmes"]
    return Sustainability(programmes=table, areas=areas, assessed=len(scores), total=len(data.programs),
                          both=int(joined["both"].sum()))


def summary(s: Sustainability) -> str:
    if not s.assessed:
        return "No programme has recorded a sustainability self-assessment (PSAT) in the inventory."
    return (f"{s.assessed} of {s.total} programmes have assessed themselves with the PSAT; {s.both} of them carry "
            "both a money risk and a capacity risk (listed first).")


def download(table: pd.DataFrame) -> bytes:
    return safe_csv(table)
