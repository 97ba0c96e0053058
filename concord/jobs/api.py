"""``/api/v1/jobs/jobs/``: your own background jobs (list, detail, result, cancel, retry)."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from concord.api.base import LabelledModelSerializer
from concord.api.permissions import SignedIn
from concord.core.context import Actor

from . import services
from .access import own_jobs
from .models import Job, JobFile


class JobSerializer(LabelledModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:jobs:job-detail")
    download = serializers.SerializerMethodField(
        help_text=gettext_lazy("The result's address, once the job has succeeded with one.")
    )
    percent = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Job
        fields = [
            "id",
            "url",
            "kind",
            "title",
            "status",
            "done",
            "total",
            "percent",
            "message",
            "error",
            "attempts",
            "max_attempts",
            "result_name",
            "result_type",
            "result_size",
            "download",
            "created_at",
            "started_at",
            "finished_at",
            "expires_at",
        ]
        read_only_fields = fields

    def get_download(self, job) -> str | None:
        if not job.has_result:
            return None
        from rest_framework.reverse import reverse

        name = "api:jobs:job-download"
        return reverse(name, args=[job.pk], request=self.context.get("request"))


class JobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your own background jobs (large imports and exports started on the pages). Nobody
    else's: a platform administrator sees only their own."""

    model = Job
    serializer_class = JobSerializer
    permission_classes = [SignedIn]
    ordering = ["-created_at"]
    ordering_fields = ["created_at"]
    filterset_fields = ["status", "kind"]
    search_fields = ["title"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Job.objects.none()
        return own_jobs(self.request.user)

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description=gettext_lazy("The result file (CSV, JSON or XLSX)."),
            )
        }
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None, format=None):
        job = self.get_object()
        row = JobFile.objects.filter(job=job, role=JobFile.RESULT).first()
        if not job.has_result or row is None:
            raise Http404(_("This job has no result to download (yet, or any more)."))
        services.opened(job)
        response = HttpResponse(bytes(row.data), content_type=job.result_type)
        response["Content-Disposition"] = f'attachment; filename="{job.result_name}"'
        return response

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None, format=None):
        job = services.cancel(self.get_object(), actor=Actor.from_request(request))
        return Response(JobSerializer(job, context=self.get_serializer_context()).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None, format=None):
        job = services.retry(self.get_object(), actor=Actor.from_request(request))
        return Response(JobSerializer(job, context=self.get_serializer_context()).data)
