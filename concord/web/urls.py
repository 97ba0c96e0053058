from django.contrib.auth import views as auth_views
from django.urls import path

from concord.accountability.urls import urlpatterns as accountability_urls
from concord.labour.urls import urlpatterns as labour_urls
from concord.operations.urls import urlpatterns as operations_urls

from . import registry_views, views
from .generic import object_urls

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("search/", views.search, name="search"),
    path("countries/", registry_views.country_list, name="country_list"),
    path("countries/<str:alpha3>/", registry_views.country_detail, name="country_detail"),
    path("spaces/", views.space_list, name="space_list"),
    path("audit/", views.audit_list, name="audit_list"),
    path("tokens/", views.token_list, name="token_list"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("tokens/feed/", views.feed_secret_create, name="feed_secret_create"),
    path("tokens/feed/revoke/", views.feed_secret_revoke, name="feed_secret_revoke"),
    *object_urls(registry_views.ORGANISATIONS),
    *object_urls(registry_views.PEOPLE),
    *object_urls(registry_views.AREAS),
    *labour_urls,
    *accountability_urls,
    *operations_urls,
]
