"""Records every file a page offers for download during AppTest runs, deferred (callable) data included."""

from __future__ import annotations

import inspect


def capture_downloads(monkeypatch, by_name: dict[str, bytes] | None = None) -> list[tuple[str, str, bytes | str]]:
    """Record (file name, mime, data) of every download button a page makes, wherever it is placed.

    ``by_name``, if given, is filled with {file name: bytes} as the buttons are made.

    Pages hand ``st.download_button`` a callable so the file is only made when a reader clicks; the spy calls it,
    as the click would, so tests see the bytes a reader would get.
    """
    import streamlit as st
    from streamlit.elements.widgets.button import ButtonMixin

    real = ButtonMixin.download_button
    signature = inspect.signature(real)
    seen: list[tuple[str, str, bytes | str]] = []

    def spy(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs)
        data = bound.arguments["data"]
        name, content = bound.arguments.get("file_name") or "", data() if callable(data) else data
        seen.append((name, bound.arguments.get("mime") or "", content))
        if by_name is not None:
            by_name[name] = content if isinstance(content, bytes) else str(content).encode()
        return real(self, *args, **kwargs)

    monkeypatch.setattr(ButtonMixin, "download_button", spy)
    monkeypatch.setattr(st, "download_button", lambda *a, **k: spy(st._main, *a, **k))
    return seen
