from django.urls import path

from concord.web.generic import object_urls

from . import views

urlpatterns = [
    path("countries/", views.country_list, name="country_list"),
    path("countries/<str:alpha3>/", views.country_detail, name="country_detail"),
    path("spaces/", views.space_list, name="space_list"),
    path("audit/", views.audit_list, name="audit_list"),
    path("tokens/", views.token_list, name="token_list"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="apitoken_revoke"),
    path("tokens/feed/", views.feed_secret_create, name="feed_secret_create"),
    path("tokens/feed/revoke/", views.feed_secret_revoke, name="feed_secret_revoke"),
    *object_urls(views.ORGANISATIONS),
    *object_urls(views.PEOPLE),
    *object_urls(views.AREAS),
]
