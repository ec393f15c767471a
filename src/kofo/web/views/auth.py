"""Login, logout and password change with kofo's templates (Django's auth views, German KERN forms)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from kofo.web.forms import KofoPasswordChangeForm, LoginForm

login = auth_views.LoginView.as_view(
    template_name="registration/login.html", authentication_form=LoginForm, redirect_authenticated_user=True
)
logout = auth_views.LogoutView.as_view()
password_change = auth_views.PasswordChangeView.as_view(
    template_name="registration/kofo_password_change.html",
    form_class=KofoPasswordChangeForm,
    success_url=reverse_lazy("password_change_done"),
)
password_change_done = auth_views.PasswordChangeDoneView.as_view(
    template_name="registration/kofo_password_change_done.html"
)
