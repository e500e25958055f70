"""The real photo set is required under CI: a run without it must fail, not pass with the photo tests skipped."""

import pytest

from tests.conftest import missing_shared_photos


def test_missing_photos_fail_under_ci_and_skip_elsewhere(monkeypatch, tmp_path):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="required under CI"):
        missing_shared_photos(tmp_path / "photos")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        missing_shared_photos(tmp_path / "photos")
