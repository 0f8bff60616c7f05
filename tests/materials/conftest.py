"""Materials tests: a materials folder of each test's own and a small size limit."""

import pytest

from tests.materials.samples import overrides


@pytest.fixture
def app_overrides(tmp_path):
    return overrides(tmp_path)
