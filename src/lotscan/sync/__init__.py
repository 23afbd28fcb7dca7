"""lotscan.sync"""
