"""A torch-tier test run by tests/test_torch_tier.py with and without torch (not collected itself)."""
import pytest


@pytest.mark.torch
def test_probe(torch):
    assert torch.get_num_threads() == 1
