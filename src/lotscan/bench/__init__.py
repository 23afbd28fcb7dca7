"""lotscan.bench"""
