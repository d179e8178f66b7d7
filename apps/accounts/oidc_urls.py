"""Single sign-on under /oidc/ (the names mozilla-django-oidc reverses)."""

from django.urls import path

from apps.accounts import oidc_views

urlpatterns = [
    path("authenticate/", oidc_views.authenticate, name="oidc_authentication_init"),
    path("callback/", oidc_views.callback, name="oidc_authentication_callback"),
]
