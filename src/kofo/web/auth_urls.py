"""Login, logout and password change, without a namespace (``LOGIN_URL = "login"``).

Included by the root URLconf in place of ``django.contrib.auth.urls``: kofo has no e-mail password
reset (accounts are managed by the Administration), and these views use kofo's templates.
"""

from django.urls import path

from kofo.web.views import auth

urlpatterns = [
    path("anmelden/", auth.login, name="login"),
    path("abmelden/", auth.logout, name="logout"),
    path("passwort/", auth.password_change, name="password_change"),
    path("passwort/geaendert/", auth.password_change_done, name="password_change_done"),
]
