"""Core of the Community Mental Health Atlas: data model, ingest, queries, analytics and builders."""

import pandas as _pd

# The atlas's tables are small (77 areas, hundreds of programmes) and are filtered, mapped and formatted on every
# rerun. At that size pandas' pyarrow-backed strings cost more per operation than they save: keeping string
# columns as Python objects made the Compare page's tables 3.6x faster (342 -> 94 ms for ten choices of areas) and
# the funding overview 1.5x. Set here, before any frame is made, so every process that uses core agrees.
_pd.set_option("mode.string_storage", "python")
