"""Capabilities of 养老服务 (given to business roles on the 养老服务 line in ElderlyConfig.ready)."""

VIEW = "elderly.view"  # the older people's register, a person's categories and assessments (masked)
CONFIRM = "elderly.confirm"  # derive, confirm, reject and add 特殊困难老年人 categories (township and county staff)
ASSESS = "elderly.assess"  # record a 老年人能力综合评估
ALLOWANCE = "elderly.allowance"  # confirm the month's 高龄津贴 proposal (免申即享) for one's township or county
ALLOWANCE_POLICY = "elderly.allowance_policy"  # 高龄津贴 bands, amounts and rules (county or city approver)
VISIT = "elderly.visit"  # record a 探访 (协理员 and township staff), an event, a referral
MANAGE_VISITS = "elderly.visits_manage"  # visitors, assignments, tier overrides, closing referrals (township/county)
