"""One app process: `streamlit run app.py`, told before its first request that app.py's st.navigation rules."""

from __future__ import annotations

import sys

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli


def main(argv: list[str]) -> int:
    # Streamlit treats a pages/ folder beside app.py as its old file-based navigation until some session has called
    # st.navigation, so the first request of a fresh server, if it is a deep link, would run the page file on its
    # own and send the old sidebar (listing admin) first. app.py always calls st.navigation: say so up front.
    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", *argv]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
