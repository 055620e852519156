"""Capabilities of 婚姻登记 (given to business roles on the 婚姻登记 line in MarriageConfig.ready)."""

VIEW = "marriage.view"  # the office's appointments, records, applications and statistics
REGISTER = "marriage.register"  # 婚姻登记员: serve appointments, register, refuse, receive divorce applications,
# digitise archive records, request 补领 and corrections
APPROVE = "marriage.approve"  # the office head: approve 补领 and corrections (not his own), record court judgments,
# configure offices and special dates
