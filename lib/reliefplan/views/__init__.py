"""views: what people look at, built from model results.

Plotly chart builders (one function per chart, DataFrame in, Figure out),
offline maps, the Excel forms sent upward and the ipywidgets what-if app.

May import: core, ingest, models.
"""
