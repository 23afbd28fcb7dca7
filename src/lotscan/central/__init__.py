"""The central lot service: FastAPI app, settings, sync endpoints, lot status, and traceability
(trace/). Stations push events here and pull changes; central trusts no station."""
