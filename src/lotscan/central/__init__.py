"""lotscan.central"""
