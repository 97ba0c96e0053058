from django.urls import path

from . import views

urlpatterns = [
    path("webhooks/", views.webhook_list, name="webhook_list"),
    path("webhooks/add/", views.webhook_add, name="webhook_add"),
    path("webhooks/<int:pk>/", views.webhook_detail, name="webhook_detail"),
    path("webhooks/<int:pk>/edit/", views.webhook_edit, name="webhook_edit"),
    path("webhooks/<int:pk>/delete/", views.webhook_delete, name="webhook_delete"),
    path("webhooks/<int:pk>/pause/", views.webhook_pause, name="webhook_pause"),
    path("webhooks/<int:pk>/resume/", views.webhook_resume, name="webhook_resume"),
    path("webhooks/<int:pk>/rotate-secret/", views.webhook_rotate, name="webhook_rotate"),
    path("webhooks/<int:pk>/ping/", views.webhook_ping, name="webhook_ping"),
    path("webhooks/<int:pk>/deliveries/", views.webhook_deliveries, name="webhook_deliveries"),
]
