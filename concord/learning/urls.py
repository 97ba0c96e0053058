from django.urls import path

from concord.web.generic import object_urls

from . import views

urlpatterns = [
    path("knowledge-managers/", views.knowledge_managers, name="knowledge_managers"),
    path("observations/<int:pk>/step/", views.observation_step, name="observation_step"),
    path("observations/<int:pk>/unseal/", views.observation_unseal, name="observation_unseal"),
    path("lessons/<int:pk>/step/", views.lesson_step, name="lesson_step"),
    path("lessons/<int:pk>/validate/", views.lesson_validate, name="lesson_validate"),
    *object_urls(views.OBSERVATIONS),
    *object_urls(views.LESSONS),
    *object_urls(views.BODIES),
    *object_urls(views.ACTIONS),
]
