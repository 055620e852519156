"""Capabilities of the benefits app (added to roles in BenefitsConfig.ready)."""

VIEW = "benefits.view"  # standards, payroll months and the 资金发放 report in one's region
STANDARDS = "benefits.standards"  # add standards, enter price indices
PAYROLL = "benefits.payroll"  # build, review, approve and lock a month (county level)
PAY = "benefits.pay"  # bank templates, 代发 files (decrypts accounts, audited), return files
