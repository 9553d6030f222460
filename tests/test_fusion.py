import pytest

from qa.fusion import reciprocal_rank_fusion


def test_rrf_known_values():
    fused = dict(reciprocal_rank_fusion([["a", "b", "c"], ["c", "a"]], k=60))
    assert fused["a"] == pytest.approx(1 / 61 + 1 / 62)
    assert fused["b"] == pytest.approx(1 / 62)
    assert fused["c"] == pytest.approx(1 / 63 + 1 / 61)


def test_rrf_order_and_ties_are_deterministic():
    fused = reciprocal_rank_fusion([["a", "b"], ["b", "a"], ["x"]], k=1)
    assert [item for item, _ in fused] == ["a", "b", "x"]  # a and b tie; a was seen first
    assert reciprocal_rank_fusion([[], []]) == []


def test_rrf_item_in_both_lists_beats_single_list_top():
    fused = reciprocal_rank_fusion([["solo", "both"], ["other", "both"]], k=60)
    assert fused[0][0] == "both"
