"""Text from data made inert where it meets markdown or HTML: its markup characters become character references."""

from __future__ import annotations

import re

# Every ASCII mark that Streamlit's markdown (CommonMark, GFM tables and strikethrough, $math$, :colour[...]
# directives) or HTML could read as syntax. A character reference is literal text in both markdown and HTML, so
# one escaped string is safe in st.markdown, captions, labels, help, alerts and HTML legends alike.
MARKUP_CHARACTERS = frozenset("\\`*_{}[]()#+!|~$<>&\"'^@")
# GFM also turns bare addresses into links (https://x.example, www.x.example, a@x.example); breaking the "://",
# the "www." and the "@" keeps them text.
_AUTOLINK = re.compile(r"://|(?i:www)\.")


def inert(value) -> str:
    """``value`` as text that renders as itself in markdown and in HTML, never as a link, image, tag or style.

    >>> inert("[Sign in](https://x.example/p) ![px](http://x.example/p.png)")
    '&#91;Sign in&#93;&#40;https&#58;//x.example/p&#41; &#33;&#91;px&#93;&#40;http&#58;//x.example/p.png&#41;'
    >>> inert("<b>Albany Park</b>"), inert("Lincoln Park"), inert("www.x.example"), inert(None)
    ('&#60;b&#62;Albany Park&#60;/b&#62;', 'Lincoln Park', 'www&#46;x.example', '')
    """
    if value is None:
        return ""
    text = "".join(f"&#{ord(c)};" if c in MARKUP_CHARACTERS else c for c in str(value))
    return _AUTOLINK.sub(lambda m: "&#58;//" if m.group() == "://" else m.group()[:-1] + "&#46;", text)
