from django.urls import path

from . import views

urlpatterns = [
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/read/", views.notification_read, name="notification_read"),
    path("notifications/settings/", views.digest_settings, name="digest_settings"),
    path("following/", views.following, name="following"),
    path("follow/", views.follow, name="follow"),
]
