"""The default naming rules (written by migration 0002): 《地名管理条例》(2022) 第十条 and its 实施细则 — no
duplicate name of the same kind within a county, no names of leaders, no foreign or overblown words, no
characters that mislead — and a few reserved names. Approvers add their own on 「地名命名规则」."""

BASIS = "《地名管理条例》第十条"

RULES = [
    ("unique_in_county", "", "同一县级行政区域内的乡镇、街道、村庄、道路、桥梁等不得重名"),
    *(("forbidden_word", w, f"{BASIS}：不以人名作地名，禁止使用国家领导人名字") for w in ("主席", "总理")),
    *(("forbidden_word", w, f"{BASIS}：不使用夸大、崇洋媚外的名称")
      for w in ("帝王", "皇家", "至尊", "曼哈顿", "威尼斯", "维多利亚")),
    *(("forbidden_char", c, f"{BASIS}：避免使用生僻字、易产生歧义的字") for c in ("囧", "屌")),
    *(("reserved", n, "保留地名：具有重要历史文化价值") for n in ("驿城", "天中", "汝南")),
]  # fmt: skip


def ensure() -> int:
    """Write the default rules when there is no naming rule at all (a flushed test database, a fresh demo)."""
    from huimin.places.models import NamingRule

    if NamingRule.objects.exists():
        return 0
    NamingRule.objects.bulk_create(
        NamingRule(kind=kind, value=value, basis=basis, created_by="系统默认") for kind, value, basis in RULES
    )
    return len(RULES)
