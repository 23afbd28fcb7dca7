"""lotscan.labels"""
