"""Partners (creditors), their agreements, the office itself, users, roles and API tokens."""
