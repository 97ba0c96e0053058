"""The REST API: every capability's endpoints under ``/api/v1/<capability>/<plural>/``
(URL names ``api:<capability>:<basename>-list``), read from the capability registry; the
root lists the capabilities, each capability's root its endpoints."""

from django.urls import include, path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from concord.core import capabilities


def _router(capability) -> DefaultRouter:
    router = DefaultRouter()
    for route in capability.api:
        router.register(route.prefix, capabilities.resolve(route.viewset), basename=route.basename)
    return router


class Root(APIView):
    """The API's capabilities, each with its own root listing its endpoints."""

    @extend_schema(exclude=True)
    def get(self, request, format=None):
        return Response(
            {
                c.label: reverse(
                    f"api:{c.label}:api-root",  # untranslated: a URL name
                    request=request,
                    format=format,
                )
                for c in capabilities.all()
                if c.api
            }
        )


app_name = "api"
urlpatterns = [
    path("", Root.as_view(), name="root"),
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    *(
        path(f"{c.label}/", include((_router(c).urls, c.label), namespace=c.label))
        for c in capabilities.all()
        if c.api
    ),
]
