"""Scan interpretation: raw bytes from any reader become a Scan. Pure functions, no I/O."""

from lotscan.codes.scan import Finding, InternalCode, RawScan, Scan, ScanKind, Source

__all__ = ["Finding", "InternalCode", "RawScan", "Scan", "ScanKind", "Source"]
