"""Capabilities of 居家社区养老服务 (given to business roles on the 养老服务 line in HomecareConfig.ready)."""

VIEW = "homecare.view"  # catalogue, providers, orders, service records, settlements, alarms, dashboards
MANAGE = "homecare.manage"  # prices, providers and contracts, orders, service records, follow-up calls
SETTLE = "homecare.settle"  # compute (build), review and approve a monthly settlement (two people, see services)
ALARM = "homecare.alarm"  # the alarms console: acknowledge, close; devices and the duty roster
REPORT = "homecare.report"  # a provider's system reports device events (API clients only in practice)
