from django.urls import path

from concord.web.generic import object_urls

from . import views
from .views import records

urlpatterns = [
    path("operations/typology/", views.typology, name="typology"),
    path("operations/timeline/", views.timeline, name="timeline"),
    path("operations/map/", views.world_map, name="map"),
    path("operations/<int:pk>/classification/", views.override, name="operation_override"),
    *object_urls(records.OPERATIONS),
    *object_urls(records.RELATIONS),
]
