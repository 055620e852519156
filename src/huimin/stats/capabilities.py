"""Capabilities of the statistics app (added to roles in StatsConfig.ready). Reading the figures needs
``huimin.core.roles.STATS_VIEW``, which the statistician (city) and the county approver hold."""

MANAGE = "stats.manage"  # recompute a month's figures, set indicator targets for one's region
