"""Make a page opened by a deep link run under app.py's navigation, even on a freshly started server.

Streamlit treats a ``pages/`` folder next to the main script as a legacy (v1) multipage app until the main
script has called ``st.navigation`` once in the server's life. So the first deep link after a start (a share
link ``/review?id=...`` is the usual one) runs ``pages/review.py`` on its own, with an automatic sidebar that
lists every file, ``app`` included, and without app.py's page settings. Calling
:func:`ensure_app_navigation` at the top of such a page switches the server to app.py's navigation and reruns,
so the page is shown the way app.py defines it (for a share link: no sidebar, see app.py).
"""

from __future__ import annotations

import streamlit as st


def legacy_pages_mode() -> bool:
    """Whether this run was started by Streamlit's legacy ``pages/`` folder handling instead of app.py."""
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # a Streamlit without the legacy mode: nothing to fix
        return False
    return bool(getattr(PagesManager, "uses_pages_directory", False))


def ensure_app_navigation() -> None:
    """Rerun through app.py when the page was started in legacy mode (no effect otherwise)."""
    if not legacy_pages_mode():
        return
    from streamlit.runtime.pages_manager import PagesManager

    # What app.py's own st.navigation call does; the rerun then runs app.py, which resolves the same page
    # (a page's identity is its URL path, the same in both modes).
    PagesManager.uses_pages_directory = False
    st.rerun()
