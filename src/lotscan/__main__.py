from lotscan.cli.main import main

main()
