"""Capabilities of 动态监测 (added to roles in AppConfig.ready)."""

VIEW = "monitoring.view"  # see warnings of one's region, the dashboard and rule statistics
HANDLE = "monitoring.handle"  # triage warnings: confirm, record the action, close
RULES = "monitoring.rules"  # edit warning rules and dry-run them (county or city level only)
RUN = "monitoring.run"  # start a monitoring run
