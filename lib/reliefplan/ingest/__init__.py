"""ingest: read and validate every input into typed DataFrames.

Spreadsheet and CSV cells (:mod:`.sheets`), the registry of people, the
reference tables (areas, 低保 standards, history, visits, changes, boundaries),
the plan file, categories and the case library. Problems are reported with file,
row and column in zh and en; rejected rows go to quarantine.

May import: core.
"""
