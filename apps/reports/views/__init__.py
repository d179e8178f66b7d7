"""Reports pages: dashboards, records of processing, request records, DPIA
register, evidence bundles."""
