"""Root URL configuration."""

from django.contrib import admin
from django.urls import include, path

from kofo.api.api import api

admin.site.site_header = "kofo – Stammdatenverwaltung"
admin.site.site_title = "kofo"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("kofo.web.auth_urls")),
    path("", include("kofo.web.urls")),
]
