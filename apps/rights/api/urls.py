"""/api/v1/: the rights API and the OpenAPI schema that describes it."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.rights.api import views

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("rights/requests/", views.requests, name="rights_requests"),
    path(
        "rights/requests/<uuid:public_id>/",
        views.request_detail,
        name="rights_request",
    ),
    path(
        "rights/requests/<uuid:public_id>/withdraw/",
        views.withdraw,
        name="rights_withdraw",
    ),
    path(
        "rights/requests/<uuid:public_id>/messages/",
        views.messages,
        name="rights_messages",
    ),
    path(
        "rights/requests/<uuid:public_id>/download/",
        views.download,
        name="rights_download",
    ),
    path(
        "rights/downloads/<str:token>/",
        views.download_file,
        name="rights_download_file",
    ),
    # The privacy team.
    path("rights/queue/", views.queue, name="rights_queue"),
    path(
        "rights/requests/<uuid:public_id>/approve/",
        views.approve,
        name="rights_approve",
    ),
    path(
        "rights/requests/<uuid:public_id>/refuse/",
        views.refuse,
        name="rights_refuse",
    ),
    path(
        "rights/requests/<uuid:public_id>/extend/",
        views.extend,
        name="rights_extend",
    ),
    path("rights/requests/<uuid:public_id>/ask/", views.ask, name="rights_ask"),
    path(
        "rights/requests/<uuid:public_id>/confirm-identity/",
        views.confirm_identity,
        name="rights_confirm_identity",
    ),
]
