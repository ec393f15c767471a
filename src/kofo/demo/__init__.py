"""Demo data: a realistic office with its partners, agreements and one user per role."""
