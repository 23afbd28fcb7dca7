"""Central's HTTP routers, one per area: `sync` (stations), `admin` (administrators). The trace
router lives with the trace code (`lotscan.central.trace.api`); dependencies in `central.deps`."""
