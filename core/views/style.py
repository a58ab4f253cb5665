"""The few page-wide style rules every page carries: visible keyboard focus and readable small text (WCAG 2.1 AA)."""

# Streamlit's own focus ring is a pale grey that readers could not tell from the current page's highlight in the
# navigation; a dark outline with a yellow halo shows on white, grey and coloured backgrounds alike (WCAG 2.4.7).
# Captions are drawn at 60% opacity by default, which is below 4.5:1 on white and on the sidebar's grey (WCAG 1.4.3);
# fully opaque in this grey they are 7:1.
PAGE_CSS = """
<style>
a:focus-visible, button:focus-visible, input:focus-visible, textarea:focus-visible, summary:focus-visible,
[role="switch"]:focus-visible, [role="checkbox"]:focus-visible, [role="radio"]:focus-visible,
[role="combobox"]:focus-visible, [role="slider"]:focus-visible, [role="tab"]:focus-visible,
[tabindex]:focus-visible, [data-testid="stSidebarNavLink"]:focus-visible {
  outline: 3px solid #111 !important;
  outline-offset: 2px !important;
  box-shadow: 0 0 0 5px #ffd54f !important;
}
[data-baseweb="checkbox"]:focus-within, [data-baseweb="radio"]:focus-within {
  outline: 3px solid #111; outline-offset: 2px; box-shadow: 0 0 0 5px #ffd54f;
}
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p,
[data-testid="stWidgetLabel"] small, [data-testid="stMetricDelta"] {
  color: #474a55 !important;
  opacity: 1 !important;
}
/* Map tooltips stay inside the map (pydeck places them at the pointer; near the right edge they ran off). */
.deck-tooltip { max-width: min(320px, 80vw) !important; white-space: normal !important; overflow-wrap: anywhere; }
</style>
"""
