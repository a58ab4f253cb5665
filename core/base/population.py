"""The two resident counts the atlas shows, one per purpose, and the label each carries wherever it appears.

An area's published total (2020 Census) describes who lives there: profiles, per-1,000 rates, the brief. The sum
of its census tracts is the population the coverage method places at tract centroids, so every count of residents
in or out of reach, and the totals they are shares of, use it. The two differ (Austin: 96,557 against 93,727), so
a page never shows either under a bare "Residents".
"""

CENSUS = "Residents (2020 Census)"
CENSUS_SHORT = "residents (2020 Census)"
CENSUS_HELP = ("The community area's published population, 2020 Census (CMAP community data snapshots): who lives "
               "there.")

TRACT_SUM = "Residents (tract sum)"
TRACT_SUM_SHORT = "residents (tract sum)"
TRACT_SUM_HELP = ("The sum of the area's census-tract populations: the residents the coverage method places at tract "
                  "centres, so shares in and out of reach add up. It differs a little from the area's published "
                  "2020 Census total, because tracts and community-area boundaries do not match exactly.")

LABELS = (CENSUS, TRACT_SUM)
