"""Audit trail: append-only, hash-chained record of every action, and the log of personal-data access."""
