"""The `source` table: publisher, dataset, years and licence of every file the atlas is built from."""

from __future__ import annotations

import pandas as pd

PORTAL_TERMS = "City of Chicago Data Portal terms of use"

# One row per dataset, keyed by source_id. Years and licences are as SOURCES.md records them.
CHICAGO_SOURCES: list[dict] = [
    dict(source_id="ca_boundaries", publisher="City of Chicago Data Portal", title="Boundaries - Community Areas (current), dataset cauq-8yn6",
         years="2020 snapshot", licence=PORTAL_TERMS, file="Boundaries - Community Areas (current).geojson"),
    dict(source_id="tract_boundaries", publisher="City of Chicago Data Portal", title="Boundaries - Census Tracts - 2010, dataset 5jrd-6zik",
         years="2010", licence=PORTAL_TERMS, file="Boundaries - Census Tracts - 2010.geojson"),
    dict(source_id="cha_tracts", publisher="Chicago Health Atlas (CDPH, UIC)", title="Chicago Health Atlas data download - census tracts (population)",
         years="2015-2019 / 2016-2020", licence="not stated", file="Chicago Health Atlas Data Download - Census Tracts.csv"),
    dict(source_id="cha_areas_hcs", publisher="Chicago Department of Public Health, Healthy Chicago Survey, via the Chicago Health Atlas",
         title="Chicago Health Atlas data download - community areas (Healthy Chicago Survey indicators)",
         years="2021-2022", licence="not stated", file="Chicago Health Atlas Data Download - Community areas.csv"),
    dict(source_id="cha_areas_acs", publisher="U.S. Census Bureau American Community Survey, via the Chicago Health Atlas",
         title="Chicago Health Atlas data download - community areas (ACS indicators)",
         years="2018-2022", licence="not stated", file="Chicago Health Atlas Data Download - Community areas.csv"),
    dict(source_id="cha_areas_svi", publisher="CDC/ATSDR Social Vulnerability Index, via the Chicago Health Atlas",
         title="Chicago Health Atlas data download - community areas (SVI)",
         years="2020", licence="not stated", file="Chicago Health Atlas Data Download - Community areas.csv"),
    dict(source_id="cha_suicide", publisher="Illinois Department of Public Health death certificates, via the Chicago Health Atlas",
         title="Suicide mortality rate by community area", years="2011-2015, 2015-2019", licence="not stated",
         file="Chicago_Health_Suicide_Mortality_Rate.csv"),
    dict(source_id="cha_uninsured", publisher="U.S. Census Bureau ACS (B27001/C27001), via the Chicago Health Atlas",
         title="Uninsured residents by community area", years="2016-2020", licence="not stated",
         file="Chicago_Health_Uninsured.csv"),
    dict(source_id="cha_bh_treatment", publisher="Chicago Department of Public Health, Healthy Chicago Survey, via the Chicago Health Atlas",
         title="Behavioral health treatment rate in community areas", years="2020-2021", licence="not stated",
         file="Chicago Health Atlas Data Download - Behavioral health treatment rate in Community areas.csv"),
    dict(source_id="cmap_profiles", publisher="Chicago Metropolitan Agency for Planning (CMAP)",
         title="Community Data Snapshots 2022 (ACS 2016-2020 and 2020 Census)", years="2016-2020",
         licence="public CMAP data; attribute CMAP", file="ReferenceCCAProfiles20162020.csv"),
    dict(source_id="portal_languages", publisher="City of Chicago Data Portal (from ACS)",
         title="Census Data - Languages spoken in Chicago, 2008-2012, dataset a2fk-ec6q", years="2008-2012",
         licence=PORTAL_TERMS, file="Census_Data_-_Languages_spoken_in_Chicago__2008___2012.csv"),
    dict(source_id="libraries", publisher="Chicago Public Library via City of Chicago Data Portal",
         title="Libraries - Locations, Hours and Contact Information, dataset x8fc-8rcq", years="2019",
         licence=PORTAL_TERMS, file="Libraries_-_Locations__Hours_and_Contact_Information.csv"),
    dict(source_id="cooling_centers", publisher="City of Chicago, as published by ChiVes (UChicago Healthy Regions & Policies Lab)",
         title="Cooling-center sites (senior centres, community service centres, city colleges)", years="circa 2024",
         licence="CC BY-NC 2.0", file="cooling-centers.geojson"),
    dict(source_id="metro_facilities", publisher="Chicago Health Atlas, compiled from the City of Chicago portal (Mental Health Clinics v56e-cy8y)",
         title="Metro Chicago health facilities: CDPH mental-health clinics (pre-2012 list)", years="circa 2012-2013",
         licence="not stated", file="metro_chicago_health_facilities_cleaned.csv"),
    dict(source_id="fqhc", publisher="Chicago Department of Public Health via City of Chicago Data Portal",
         title="Chicago Primary Care Community Health Centers, dataset cjg8-dbka", years="circa 2014",
         licence=PORTAL_TERMS, file="Public_Health_Services-_Chicago_Primary_Care_Community_Health_Centers.csv"),
    dict(source_id="purple_binder", publisher="Purple Binder directory, as imported by the Chicago Health Atlas (Smart Chicago Collaborative)",
         title="Social-service programmes: mental-health programme sites", years="circa 2013-2014",
         licence="not stated", file="pb_programs.json"),
]

DEMO_SOURCES: list[dict] = [
    dict(source_id="demo_boundaries", publisher="PySAL libpysal example data (City of Chicago community areas)",
         title="Chicago77 community-area polygons shipped in the libpysal wheel", years="circa 2010",
         licence="libpysal BSD-3-Clause; data from the City of Chicago", file="libpysal/examples/chicago/Chicago77.shp"),
    dict(source_id="demo_synthetic", publisher="Community Mental Health Atlas (synthetic demo)",
         title="SYNTHETIC DEMO DATA: seeded indicators, tracts, venues and service sites", years="synthetic",
         licence="CC0 (synthetic)", file="generated by core/demo.py"),
]

INVENTORY_SOURCE = dict(
    source_id="inventory", publisher="Programme and funding inventory",
    title="Programmes, funding and quarterly participation (programs.csv, funding.csv, program_periods.csv)",
    years="as supplied", licence="held by the city; aggregated figures only", file="inventory/")

SAMPLE_INVENTORY_SOURCE = dict(
    source_id="inventory", publisher="Community Mental Health Atlas (synthetic sample)",
    title="SYNTHETIC sample inventory generated from a seed: not real programmes or funding",
    years="synthetic", licence="CC0 (synthetic)", file="atlas sample-inventory")


def source_frame(rows: list[dict], retrieved: str) -> pd.DataFrame:
    cols = ["source_id", "publisher", "title", "years", "licence", "file", "retrieved", "notes"]
    df = pd.DataFrame(rows)
    df["retrieved"] = retrieved
    df["notes"] = df.get("notes", "")
    return df[cols]
