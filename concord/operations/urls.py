from django.urls import path

from concord.web.generic import object_urls

from . import views

urlpatterns = [
    path("operations/typology/", views.typology, name="operations_typology"),
    path("operations/timeline/", views.timeline, name="operations_timeline"),
    path("operations/map/", views.world_map, name="operations_map"),
    path("operations/<int:pk>/classification/", views.override, name="operation_override"),
    *object_urls(views.OPERATIONS),
    *object_urls(views.RELATIONS),
]
