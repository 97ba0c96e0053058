"""The site: the API, the shell, and every capability's pages under its namespace
(``labour:assignment_list``), read from the capability registry."""

from importlib import import_module

from django.urls import include, path

from concord.core import capabilities

urlpatterns = [
    path("api/v1/", include("concord.api.urls")),
    path("", include("concord.web.urls")),
    *(
        path("", include((import_module(c.urls).urlpatterns, c.label), namespace=c.label))
        for c in capabilities.all()
        if c.urls
    ),
]

handler403 = "concord.web.views.error_403"
handler404 = "concord.web.views.error_404"
handler500 = "concord.web.views.error_500"
