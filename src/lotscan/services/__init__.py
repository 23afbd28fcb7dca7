"""lotscan.services"""
