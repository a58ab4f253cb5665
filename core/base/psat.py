"""The Program Sustainability Assessment Tool's eight domains, shared by the inventory format and the analysis."""

from __future__ import annotations

# Luke et al. 2014, sustaintool.org: each domain is the mean of its items on a 1-7 scale. Column name in the
# inventory, then the domain's name as the tool prints it.
PSAT_DOMAINS: dict[str, str] = {
    "psat_environmental_support": "Environmental support",
    "psat_funding_stability": "Funding stability",
    "psat_partnerships": "Partnerships",
    "psat_organizational_capacity": "Organizational capacity",
    "psat_program_evaluation": "Program evaluation",
    "psat_program_adaptation": "Program adaptation",
    "psat_communications": "Communications",
    "psat_strategic_planning": "Strategic planning",
}
