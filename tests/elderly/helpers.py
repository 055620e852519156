from huimin.elderly.models import Item


def scores_for_total(total: int) -> dict[str, int]:
    """A complete set of scores adding up to ``total`` (every item at its maximum, then lowered from the first)."""
    items = list(Item.objects.select_related("domain").order_by("domain__order", "order"))
    scores = {i.code: i.max_score for i in items}
    surplus = sum(scores.values()) - total
    for item in items:
        cut = min(surplus, scores[item.code])
        scores[item.code] -= cut
        surplus -= cut
    assert surplus == 0
    return scores
