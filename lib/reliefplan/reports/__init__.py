"""reports: the planning report, section by section, for the report notebooks.

The report context, each section's tables and figures and the findings.

May import: core, ingest, models, views.
"""
