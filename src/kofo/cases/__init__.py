"""Debtor files (cases), claims and their components, measures, strategy and the daily run."""
