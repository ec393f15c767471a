"""kofo – Kooperation Forderungsmanagement.

Software of a shared public enforcement office: many public creditors hand over their overdue
public-law claims, the office bundles them per debtor, enforces, collects and remits.
"""

__version__ = "0.1.0"
