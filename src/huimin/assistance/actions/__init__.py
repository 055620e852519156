"""The state changes of social assistance, one module per sub-domain over what they share (common.py): apply,
verify, visit, decide, enrol, delegate, policy. Each action checks the actor's capability, region level and scope,
applies the rules, writes the history and the audit entry, and runs in one transaction with the application (or
enrolment) row locked. The larger ones are a ``check_*`` (validates, raises ServiceError, writes nothing) followed
by a ``do_*`` (writes the rows, the history and the audit entry). huimin.assistance.services re-exports them."""
