"""The `lotscan` command: one module per command, loaded when used (main.py lists them)."""
