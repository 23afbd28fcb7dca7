"""lotscan.station"""
