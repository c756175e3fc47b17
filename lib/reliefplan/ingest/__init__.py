"""ingest: read and validate every input into typed DataFrames.

Spreadsheet and CSV cells (:mod:`.sheets`, with :mod:`.html_sheet` and
:mod:`.xlsx_layout`), the registry of people (:mod:`.registry`: which sheets
hold one in :mod:`.sheet_scan`, the header in :mod:`.header`, blank and footer
rows in :mod:`.rows`, household rosters in :mod:`.roster`, one sheet's
conversion in :mod:`.sheet_reader`, areas by code or name in
:mod:`.area_match`, problems and quarantine in :mod:`.problems` and
:mod:`.quarantine`), the reference tables (:mod:`.reference` through
:mod:`.table_reader` and :mod:`.table_columns`; boundaries in
:mod:`.boundaries`), the plan file, categories and the case library. The value
converters (counts, amounts, yes/no) are one set for all of them
(:mod:`.convert`). Problems are reported with file, sheet, row and column in zh
and en; rejected rows go to quarantine. :mod:`.inputs` is the one way to a
plan's tables; in a batch run :mod:`.shared_store` keeps them parsed once per
machine, as Arrow files every kernel memory-maps.

May import: core.
"""
