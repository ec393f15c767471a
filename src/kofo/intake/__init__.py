"""Intake of enforcement requests: formats (CSV, JSON), validation, acceptance, rejection report, archive."""
