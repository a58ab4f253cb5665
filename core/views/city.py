"""The city's own words, from its pack's city.toml (kept in build_info): its name and what it calls an area."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CityWords:
    name: str
    area: str        # "community district"
    areas: str       # "community districts"
    headline: str    # the indicator drawn on the Overview map

    @property
    def area_title(self) -> str:
        """ "Community district", for labels that start a sentence or head a column."""
        return self.area[:1].upper() + self.area[1:]


def words(info: dict[str, str]) -> CityWords:
    """The words a page uses for the loaded city; neutral ones when a database predates city packs.

    >>> w = words({"city_name": "New York City", "city_area_label": "community district",
    ...            "city_area_label_plural": "community districts", "city_headline_indicator": "psych_hosp"})
    >>> w.name, w.area_title, w.areas
    ('New York City', 'Community district', 'community districts')
    """
    return CityWords(name=info.get("city_name") or "the city", area=info.get("city_area_label") or "area",
                     areas=info.get("city_area_label_plural") or "areas",
                     headline=info.get("city_headline_indicator") or "unmet_need")
