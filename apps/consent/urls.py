from django.urls import path

from apps.consent import api, views

app_name = "consent"
urlpatterns = [
    path("me/choices/", views.my_choices, name="my_choices"),
    path("me/choices/<slug:key>/grant/", views.grant, name="grant"),
    path("me/choices/<slug:key>/withdraw/", views.withdraw, name="withdraw"),
    path("me/choices/receipts/<int:event_id>/", views.receipt, name="receipt"),
    path("consent/rates/", views.rates, name="rates"),
    path("api/v1/consent/decisions/", api.decisions, name="api_decisions"),
    path("api/v1/consent/changes/", api.changes, name="api_changes"),
    path("api/v1/consent/ping/", api.ping, name="api_ping"),
]
