"""ASGI entry point, served by uvicorn through ``kofo serve``."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kofo.settings")
application = get_asgi_application()
