from django.urls import path

from apps.people import views

app_name = "people"
urlpatterns = [
    path("", views.my_data, name="my_data"),
    path(
        "subjects/<uuid:public_id>/datasets/<slug:key>/",
        views.subject_dataset,
        name="subject_dataset",
    ),
    path(
        "subjects/<uuid:public_id>/datasets/<slug:key>/files/<path:file_key>",
        views.subject_file,
        name="subject_file",
    ),
]
