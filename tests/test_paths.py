"""The per-user folders: the quick XDG rule must give what platformdirs gives."""

from __future__ import annotations

import sys

import platformdirs
import pytest

from interview_coach.paths import APP_NAME, platform_dir

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the quick rule is for Linux")


@pytest.mark.parametrize("home", ["/home/ana", "/root", "/tmp/x/"])
@pytest.mark.parametrize("xdg", [None, "", "/srv/xdg", "relative/xdg", "~/xdg", " /spaced"])
def test_the_quick_rule_agrees_with_platformdirs(monkeypatch, home, xdg):
    monkeypatch.setenv("HOME", home)
    for variable in ("XDG_DATA_HOME", "XDG_CACHE_HOME"):
        if xdg is None:
            monkeypatch.delenv(variable, raising=False)
        else:
            monkeypatch.setenv(variable, xdg)
    expected_data = platformdirs.PlatformDirs(APP_NAME, ensure_exists=False).user_data_dir
    expected_cache = platformdirs.PlatformDirs(APP_NAME, ensure_exists=False).user_cache_dir
    assert str(platform_dir("data")) == str(type(platform_dir("data"))(expected_data))
    assert str(platform_dir("cache")) == str(type(platform_dir("cache"))(expected_cache))


def test_a_relative_home_is_left_to_platformdirs(monkeypatch):
    monkeypatch.setenv("HOME", "relative/home")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert str(platform_dir("cache")) == str(type(platform_dir("cache"))(platformdirs.user_cache_dir(APP_NAME)))
