from django.urls import include, path

urlpatterns = [
    path("api/v1/", include("concord.api.urls")),
    path("", include("concord.web.urls")),
]

handler403 = "concord.web.views.error_403"
handler404 = "concord.web.views.error_404"
handler500 = "concord.web.views.error_500"
