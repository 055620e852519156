"""Capabilities of 待遇资格 (生存认证, 残疾人证变更), added to roles in EligibilityConfig.ready."""

VIEW = "eligibility.view"  # the overdue list, the certificate-change notices of one's region; export them
CONFIRM = (
    "eligibility.confirm"  # record a 生存认证 (a visit, or a 协理员 on the person's behalf); take note of a notice
)
POLICY = "eligibility.policy"  # set the region's 生存认证 cycle and grace period (county or city level)
