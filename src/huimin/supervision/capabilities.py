"""Capabilities of the supervision machinery (双随机、一公开, inspections, findings, risks, complaints).

The machinery is generic: it gives no role anything. Each business app that supervises something gives these
capabilities to its line's roles in its ``AppConfig.ready`` (养老服务: ``huimin.eldercare.apps``), and every check
names the line of the object acted on (``Draw.line``, ``Inspection.line`` …)."""

VIEW = "supervision.view"  # draws, inspections, findings, risks, complaints of one's region (on the line)
DRAW = "supervision.draw"  # make and publish a 双随机 draw
INSPECT = "supervision.inspect"  # record an inspection, its findings and risks
RECTIFY = "supervision.rectify"  # record a subject's rectification of a finding, record a complaint
CLOSE = "supervision.close"  # accept (销号) or return a rectification: a second person, never its recorder
