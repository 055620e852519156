"""The national default of 生存认证 (loaded by a data migration; a region sets its own on 生存认证规则)."""

import datetime

POLICY = dict(
    programmes=["disability_living", "severe_care"],
    cycle_months=12,
    grace_days=60,
    effective_from=datetime.date(2021, 1, 1),
    basis="民发〔2021〕70号：建立残疾人两项补贴对象定期核查（生存认证）机制；逾期未认证的暂停发放，认证后恢复",
    created_by="系统默认",
)


def ensure(policy_model=None) -> None:
    if policy_model is None:
        from huimin.eligibility.models import SurvivalPolicy as policy_model
    if not policy_model.objects.filter(region__isnull=True).exists():
        policy_model.objects.create(region=None, **POLICY)
