"""Batch planning reports: run the report notebooks for every unit, export HTML and Excel.

``reliefplan report`` = :func:`reliefplan.batch.params.check_report_params`
then :func:`reliefplan.batch.run.run_reports`. Modules:

* ``params``   — check parameters before any kernel starts (bilingual errors listing valid choices)
* ``jobs``     — the notebook jobs: one per unit, the roll-up, the city analysis notebooks
* ``executor`` — a local process pool or a Dask cluster; ``job_runner`` runs one job in a ``warm_kernel``
  (reset between jobs by ``kernel_reset``); the kernels of a run share parsed inputs through a folder
  ``job_runner`` names (:mod:`reliefplan.ingest.shared_store`)
* ``html``     — HTML export: no code, offline plotly (one shared plotly.min.js), stamped header
* ``manifest`` — manifest.json; ``index`` — index.html; ``resume`` — fingerprints for --resume
* ``files``    — atomic writes

May import: core, ingest, models, views, reports.
"""
