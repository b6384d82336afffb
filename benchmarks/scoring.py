"""The one scoring rule every sentiment benchmark reports: precision, recall and F1 of a class."""

from __future__ import annotations

from collections.abc import Sequence


def prf(pred: Sequence[bool], gold: Sequence[bool]) -> tuple[float, float, float]:
    """Precision, recall and F1 of the positive flag (for us: "negative mention")."""
    tp = sum(p and g for p, g in zip(pred, gold, strict=True))
    fp = sum(p and not g for p, g in zip(pred, gold, strict=True))
    fn = sum(g and not p for p, g in zip(pred, gold, strict=True))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1
