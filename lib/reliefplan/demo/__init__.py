"""demo: the synthetic demo data set (示例数据，人员均为虚构).

Every person it writes is fictitious; the geography is real.

May import: core, ingest, models.
"""
