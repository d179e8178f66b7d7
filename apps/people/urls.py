from django.urls import path

from apps.people import views

app_name = "people"
urlpatterns = [
    path("", views.my_data, name="my_data"),
]
