"""The server caps glibc's malloc arenas (Linux), and the cap is asked for from app.py before sessions start."""

from __future__ import annotations

import platform

import pytest

from core.serve.memory import cap_malloc_arenas
from tests.conftest import REPO


@pytest.mark.skipif(platform.system() != "Linux", reason="mallopt is glibc's")
def test_cap_applies_on_glibc():
    assert cap_malloc_arenas(2) is True


def test_app_caps_arenas_before_navigation():
    text = (REPO / "app.py").read_text()
    assert "cap_malloc_arenas()" in text
    assert text.index("cap_malloc_arenas()") < text.index("st.navigation(")
