"""Benchmarks behind `lotscan bench NAME --json`: the figures quoted in issues come from here."""
