"""Capabilities of 社会组织管理 (given to business roles on the 社会组织 line in OrgsConfig.ready)."""

VIEW = "orgs.view"  # organisations, reports, credit records of the authority's region
REGISTER = "orgs.register"  # 受理 filings; record branches, penalties, gradings, donations, volunteers, hours
PRECHECK = "orgs.precheck"  # 业务主管单位 / 初审: pre-check annual reports
DECIDE = "orgs.decide"  # decide filings and annual reports (年检结论), enter and exit credit lists
