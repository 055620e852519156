"""The capabilities of 核对, added to the one capability table (huimin.core.roles) at start-up."""

VERIFY_RUN = "verification.run"  # record authorisations, run a single check, 协查
VERIFY_DATA = "verification.data"  # load departmental data, see freshness, keep thresholds
VERIFY_BATCH = "verification.batch"  # batch re-checks and their review lists
VERIFY_REPORTS = "verification.reports"  # read reports (within scope)
