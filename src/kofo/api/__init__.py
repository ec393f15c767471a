"""HTTP API (django-ninja) under /api/v1/; the contract is docs/openapi.json."""
