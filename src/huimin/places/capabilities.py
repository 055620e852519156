"""Capabilities of 区划地名 (given to business roles on the 区划地名 line in PlacesConfig.ready)."""

VIEW = "places.view"  # place names, their history, proposals, signs, region changes
PROPOSE = "places.propose"  # propose a new name or a rename, record signs and their condition, link an address
APPROVE = "places.approve"  # approve or refuse a proposal (never the one who proposed it: core.duties)
CONFIGURE = "places.configure"  # the naming rules (forbidden characters and words, reserved names)
REGIONS = "places.regions"  # carry out a 行政区划 change: a township merged into another, or renamed
