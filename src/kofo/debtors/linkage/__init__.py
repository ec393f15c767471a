"""The pure matching engine that finds one person behind several partners' debtor records.

No Django, no I/O (an import-linter contract enforces it): records in, candidate links out.
"""
