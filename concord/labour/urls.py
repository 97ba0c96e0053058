from django.urls import path

from concord.web.generic import object_urls

from . import views

urlpatterns = [
    path("labour/", views.labour_analysis, name="analysis"),
    path("labour/review/", views.review, name="review"),
    path("labour/timeline/", views.area_timeline, name="timeline"),
    path("operations/<int:pk>/mandate/", views.mandate, name="operation_mandate"),
    path("assignments/grid/", views.grid, name="assignment_grid"),
    path("assignments/import-3w/", views.import_3w, name="assignment_import_3w"),
    path("assignments/imports/<int:pk>/", views.batch_detail, name="importbatch_detail"),
    path(
        "assignments/imports/<int:pk>/rollback/",
        views.batch_rollback,
        name="importbatch_rollback",
    ),
    *object_urls(views.TASKS),
    *object_urls(views.CLASH_RULES),
    *object_urls(views.SECTOR_MAPPINGS),
    *object_urls(views.NEEDS),
    *object_urls(views.ASSIGNMENTS),
    *object_urls(views.ARRANGEMENTS),
]
