"""lotscan.exports"""
