"""lotscan.domain"""
