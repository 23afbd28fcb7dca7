"""lotscan.cli"""
