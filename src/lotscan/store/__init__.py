"""lotscan.store"""
