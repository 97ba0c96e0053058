from django.urls import path

from concord.web.generic import object_urls

from . import views

urlpatterns = [
    path("knowledge-managers/", views.knowledge_managers, name="knowledge_managers"),
    path("observations/<int:pk>/step/", views.observation_step, name="observation_step"),
    path("observations/<int:pk>/unseal/", views.observation_unseal, name="observation_unseal"),
    path("lessons/<int:pk>/step/", views.lesson_step, name="lesson_step"),
    path("lessons/<int:pk>/validate/", views.lesson_validate, name="lesson_validate"),
    path("lessons/similar/", views.similar, name="similar"),
    path("lessons/re-learned/", views.recurrence, name="recurrence"),
    path("remedial-actions/board/", views.action_board, name="action_board"),
    path("operations/<int:pk>/lessons/", views.operation_lessons, name="operation_lessons"),
    path(
        "operations/<int:pk>/lessons/disposition/",
        views.record_disposition,
        name="operation_disposition",
    ),
    path("support-requests/<int:pk>/answer/", views.answer, name="supportrequest_answer"),
    path("support-requests/<int:pk>/withdraw/", views.withdraw, name="supportrequest_withdraw"),
    path("support-modules/findings/", views.findings, name="support_findings"),
    *object_urls(views.OBSERVATIONS),
    *object_urls(views.LESSONS),
    *object_urls(views.BODIES),
    *object_urls(views.ACTIONS),
    *object_urls(views.DISPOSITIONS),
    *object_urls(views.MODULES),
    *object_urls(views.REQUESTS),
]
