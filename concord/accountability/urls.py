from django.urls import path

from concord.web.generic import object_urls

from . import views
from .views import cases, funding

urlpatterns = [
    path("accountability/due/", views.due, name="due"),
    path("accountability/calendar.ics", views.calendar, name="calendar"),
    path("accountability/calendar/", views.due_calendar, name="month"),
    path(
        "operations/<int:pk>/accountability/",
        views.operation_web,
        name="operation_accountability",
    ),
    path(
        "operations/<int:pk>/due-diligence/",
        cases.operation_register,
        name="operation_register",
    ),
    path("operations/<int:pk>/compliance/", funding.operation_board, name="operation_board"),
    path("organisations/<int:pk>/compliance/", funding.donor_board, name="organisation_board"),
    path("support-cases/<int:pk>/decide/", cases.decide, name="supportcase_decide"),
    path("reports/<int:pk>/review/", views.review, name="report_review"),
    path("tranches/<int:pk>/propose/", funding.propose, name="tranche_propose"),
    path("tranche-decisions/<int:pk>/decide/", funding.decide, name="tranchedecision_decide"),
    *object_urls(views.LINES),
    *object_urls(views.OBLIGATIONS),
    *object_urls(views.REPORTS),
    *object_urls(views.UNITS),
    *object_urls(views.COMMANDS),
    *object_urls(views.SUPPORT_CASES),
    *object_urls(views.ASSESSMENTS),
    *object_urls(views.MEASURES),
    *object_urls(views.ALLEGATIONS),
    *object_urls(views.INTERCESSIONS),
    *object_urls(views.FUNDING_INSTRUMENTS),
    *object_urls(views.COMMITMENTS),
    *object_urls(views.TRANCHES),
    *object_urls(views.CONDITIONS),
]
