"""`python -m lotscan`: the same as the `lotscan` command."""

from lotscan.cli.main import main

main()
