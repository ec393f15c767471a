"""Debtors and their linkage across partners (schuldnerbezogene Bündelung)."""
