from functools import partial

from django.urls import path

from concord.web.generic import object_urls

from . import views

urlpatterns = [
    path("expert-requests/<int:pk>/alert/", views.request_alert, name="expertrequest_alert"),
    path(
        "expert-requests/<int:pk>/shortlist/",
        views.request_shortlist,
        name="expertrequest_shortlist",
    ),
    path("expert-requests/<int:pk>/step/", views.request_step, name="expertrequest_step"),
    path("expert-requests/<int:pk>/close/", views.request_close, name="expertrequest_close"),
    path("expert-requests/board/", views.assignment_board, name="assignment_board"),
    *[
        path(
            f"candidates/<int:pk>/{what}/",
            partial(views.candidate_action, what=what),
            name=f"candidate_{what.replace('-', '_')}",
        )
        for what in ("waive", "stand-down", "nominate", "resend")
    ],
    *[
        path(
            f"deployments/<int:pk>/{what}/",
            partial(views.deployment_action, what=what),
            name=f"deployment_{what}",
        )
        for what in ("consent", "deploy", "end", "cancel")
    ],
    path("roster/reports/", views.roster_reports, name="reports"),
    path("roster/expertise/", views.expertise_list, name="expertise_list"),
    path("alerts/<str:token>/", views.alert_answer, name="alert_answer"),
    *object_urls(views.EXPERTS),
    *object_urls(views.REQUESTS),
    *object_urls(views.DEPLOYMENTS),
]
