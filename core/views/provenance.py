"""What the reader must be told about where the figures come from: synthetic banners and the data vintage."""

from __future__ import annotations

DEMO_BANNER = ("SYNTHETIC DEMO DATA. No raw data folder was found, so this atlas runs on real boundaries (the copy "
               "shipped with libpysal) with seeded, invented indicators, tracts and places. "
               "Do not use these figures for decisions.")
SAMPLE_BANNER = ("Programme, funding and participation figures are a SYNTHETIC sample generated from a seed: "
                 "community programmes and their funding are not public. A city loads its own inventory on the Admin page.")


def banners(info: dict[str, str], shows_inventory: bool) -> list[str]:
    """The warnings a page must show, given the build info and whether it shows inventory figures."""
    out = []
    if info.get("data_kind") == "demo":
        out.append(DEMO_BANNER)
    if shows_inventory and info.get("inventory_kind") == "synthetic sample":
        out.append(SAMPLE_BANNER)
    return out


def vintage_line(info: dict[str, str], periods: list[str]) -> str:
    return (f"Data built {info.get('built_at', '?')[:10]}; indicator periods {', '.join(sorted(set(periods)))}; "
            f"funding figures as of {info.get('as_of', '?')}.")
