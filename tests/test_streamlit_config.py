"""The app's Streamlit settings (.streamlit/config.toml) that users see."""

from __future__ import annotations

import tomllib
from pathlib import Path

CONFIG = Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml"


def test_header_hides_the_developer_options_such_as_deploy():
    cfg = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    assert cfg["client"]["toolbarMode"] == "viewer"


def test_the_toolbar_setting_is_one_this_streamlit_accepts():
    """A value Streamlit does not know would be ignored (and the Deploy button shown again)."""
    from streamlit import config

    mode = tomllib.loads(CONFIG.read_text(encoding="utf-8"))["client"]["toolbarMode"]
    allowed = config._config_options_template["client.toolbarMode"].description  # lists '- "viewer" : ...'
    assert f'"{mode}"' in allowed
