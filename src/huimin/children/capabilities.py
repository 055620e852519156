"""Capabilities of 儿童福利 (given to the business roles on the 儿童福利 line in ChildrenConfig.ready)."""

VIEW = "children.view"  # the child registers (masked) in one's region
REGISTER = "children.register"  # enter a child in a register, record guardians and evidence, end an entry
CASE_REPORT = "children.case_report"  # record a 发现报告 (opens a case)
CASE_WORK = "children.case_work"  # work an assigned case: 应急处置, assessment, plan, referrals, visits
CASE_SUPERVISE = "children.case_supervise"  # approve a plan or a closure, assign workers (督导员, county office)
CASE_ALL = "children.case_all"  # the county children's office: every case in its region, assigned or not
ADOPTION = "children.adoption"  # 受理收养, 收养评估; 寄养家庭 and 寄养协议 (督导员, county office)
ADOPTION_ARCHIVE = "children.adoption_archive"  # read a sealed 收养档案 (the adoption office only; others get 404)
