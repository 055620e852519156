"""Capabilities of 殡葬管理 (given to business roles on the 殡葬管理 line in FuneralConfig.ready)."""

VIEW = "funeral.view"  # facilities, records of bodies (masked), waivers, settlements, supervision, statistics
RECORD = "funeral.record"  # record a body received, kept, cremated or buried (the funeral home's 经办员)
SETTLE = "funeral.settle"  # prepare a funeral home's monthly settlement of 惠民殡葬 waivers
REVIEW = "funeral.review"  # review a settlement (审核)
APPROVE = "funeral.approve"  # approve a settlement (审批), never the one who prepared or reviewed it
CONFIGURE = "funeral.configure"  # facilities and their licences, 惠民殡葬 waiver policies
SUPERVISE = "funeral.supervise"  # cemetery annual inspections, illegal burial reports
