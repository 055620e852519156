"""Capabilities of 流浪乞讨救助 (given to business roles on the 流浪乞讨救助 line in ReliefConfig.ready)."""

VIEW = "relief.view"  # stations, stays (masked), searches, returns, statistics
INTAKE = "relief.intake"  # take a person in, keep the daily record, ask and record 寻亲 searches, return home
SENSITIVE = "relief.sensitive"  # see the photo and the health check (and only at the station's county: audited)
PLACE = "relief.place"  # refer a person unidentified after the legal period to 特困 供养 (assistance)
CONFIGURE = "relief.configure"  # stations, the legal period before placement
