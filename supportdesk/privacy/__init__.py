"""Customers' data rights and retention: export, erasure, the verification scan, retention policies.

- `export`: everything held about one customer as a zip in the file storage (a background job).
- `erase`: irreversible anonymization of one customer, table by table (`erase.STEPS`).
- `scan`: every text, JSON, bytea and tsvector column of every table, and every stored file,
  searched for given strings; proves an erasure left nothing behind.
- `retention`: per-organization policies run by the scheduler, previewed before they are enabled.
"""
