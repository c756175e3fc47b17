"""models: the answers, as pure functions over DataFrames and plain values.

Budget, allocation under a cap, goal seek, sensitivity, eligibility, coverage,
people listed by several organizers, continuity, past campaigns, reconciliation,
forecasts, the timeline and visit schedule, standards and the what-if state.
No file I/O, no printing, no globals.

May import: core, ingest (types and plan helpers only).
"""
