"""lotscan.devices"""
