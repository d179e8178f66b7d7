from django.urls import path

from apps.rights.views import downloads, employee, officer, tasks

app_name = "rights"
urlpatterns = [
    # The employee's own requests.
    path("", employee.my_requests, name="my_requests"),
    path("new/", employee.request_new, name="request_new"),
    path("requests/<uuid:public_id>/", employee.request_detail, name="request_detail"),
    path(
        "requests/<uuid:public_id>/progress/",
        employee.request_progress,
        name="request_progress",
    ),
    path(
        "requests/<uuid:public_id>/messages/",
        employee.request_message,
        name="request_message",
    ),
    path(
        "requests/<uuid:public_id>/withdraw/",
        employee.request_withdraw_view,
        name="request_withdraw",
    ),
    path(
        "requests/<uuid:public_id>/certificate/",
        downloads.certificate,
        name="certificate",
    ),
    path("downloads/<str:token>/", downloads.download, name="download"),
    # Manual stores: tasks for a named person.
    path("tasks/", tasks.my_tasks, name="my_tasks"),
    path("tasks/<int:job_id>/confirm/", tasks.task_confirm, name="task_confirm"),
    # The privacy team.
    path("queue/", officer.queue, name="officer_queue"),
    path("queue/<uuid:public_id>/", officer.request_page, name="officer_request"),
    path(
        "queue/<uuid:public_id>/confirm-identity/",
        officer.confirm_identity,
        name="officer_confirm_identity",
    ),
    path("queue/<uuid:public_id>/approve/", officer.approve, name="officer_approve"),
    path("queue/<uuid:public_id>/refuse/", officer.refuse, name="officer_refuse"),
    path("queue/<uuid:public_id>/ask/", officer.ask, name="officer_ask"),
    path("queue/<uuid:public_id>/extend/", officer.extend, name="officer_extend"),
    path("queue/<uuid:public_id>/split/", officer.split, name="officer_split"),
    path("queue/<uuid:public_id>/message/", officer.message, name="officer_message"),
    path(
        "queue/<uuid:public_id>/objection/",
        officer.decide_objection,
        name="officer_objection",
    ),
    path(
        "queue/<uuid:public_id>/jobs/<int:job_id>/retry/",
        officer.job_retry,
        name="officer_job_retry",
    ),
    path(
        "queue/<uuid:public_id>/jobs/<int:job_id>/abandon/",
        officer.job_abandon,
        name="officer_job_abandon",
    ),
    path(
        "queue/<uuid:public_id>/restrictions/<int:restriction_id>/lift/",
        officer.restriction_lift,
        name="officer_restriction_lift",
    ),
]
