"""Entities and rules of lot tracking. Pure Python: no I/O, no clock except passed-in dates."""
