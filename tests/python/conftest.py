# Shared helpers of the Python tests (run by ctest with PYTHONPATH=build/python).
import os

import pytest

SHARED = os.environ.get("DISCO_SHARED_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared"))
SOURCE = os.environ.get("DISCO_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
WEIGHTS = os.path.join(SHARED, "weights", "disco_103.npz")


@pytest.fixture
def need_weights():
    if not os.path.exists(WEIGHTS):
        pytest.skip(f"no Disco103 weights at {WEIGHTS}")
    return WEIGHTS
