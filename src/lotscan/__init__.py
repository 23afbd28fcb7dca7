"""lotscan: lot-traceability scanning station."""

__version__ = "0.1.0"
