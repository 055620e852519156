"""Capabilities of 养老机构、社区养老服务设施和适老化改造 (given to business roles on the 养老服务 line in
EldercareConfig.ready, together with the supervision machinery's capabilities on that line)."""

VIEW = "eldercare.view"  # institutions, facilities, 适老化 applications and the indicators of one's region
REGISTER = "eldercare.register"  # 备案 institutions and facilities, beds, residents, staff, use; 适老化 applications,
# works and the payment record (经办)
ASSESS = "eldercare.assess"  # 适老化: the needs assessment and the acceptance of the works (审核)
APPROVE = "eldercare.approve"  # 等级评定, the 异常 list, the 适老化 subsidy (审批; never the same person who accepted)
