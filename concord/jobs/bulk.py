"""Imports and exports above ``CONCORD_JOBS_ROWS_THRESHOLD`` rows, as jobs: the list pages
(concord.web.generic) call :func:`start_export` and :func:`start_import` through
``concord.core.importers.BACKGROUND``; the tasks (concord.jobs.tasks) do the work.

An export job reads the records with its user's visibility *when it runs*, through the same
``list_queryset`` as the page, and writes the same bytes as the page's own export. An import
job saves every row and the job's success in one transaction."""

from __future__ import annotations

import io
import json

from django.conf import settings
from django.http import QueryDict
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from concord.core.context import Actor
from concord.core.importers import SPECS, extension

from . import services


def estimate_rows(data: bytes, filename: str) -> int:
    """About how many rows a file holds, without reading it as the import will."""
    ext = filename.rsplit(".", 1)[-1].lower()
    if ext == "xlsx":
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
            return max(0, (sheet.max_row or 0) - 1)
        except Exception:  # noqa: BLE001  (the import itself says what is wrong)
            return 0
    if ext == "json":
        try:
            rows = json.loads(data)
        except ValueError:
            return 0
        return len(rows) if isinstance(rows, list) else 0
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    return max(0, lines - 1)


def plural_name(kind: str) -> str:
    """The records of an import or export kind, in words ("organisations"), in the active
    language; the kind itself (a code) when its list is unknown."""
    from concord.core.importers import SPECS

    spec = SPECS.get(kind)
    model = getattr(spec, "model", None)
    return str(model._meta.verbose_name_plural) if model is not None else kind


def start_export(config, request, fmt: str, count: int):
    """The export of the list ``config`` as ``request`` filters and sorts it, as a job."""
    params = request.GET.copy()
    params.pop("export", None)
    params.pop("page", None)
    title = _("Export of %(n)s %(records)s (%(format)s)") % {
        "n": number_format(count, force_grouping=True),
        "records": str(config.model._meta.verbose_name_plural),
        "format": fmt.upper(),
    }
    from .tasks import export_records

    return services.start(
        request.user,
        "export",
        title,
        export_records,
        actor=Actor.from_request(request),
        list_url=reverse(f"{config.namespace}:{config.url_name}_list"),
        query=params.urlencode(),
        fmt=fmt,
        total=count,
    )


def start_import(config, request, upload):
    """The import of ``upload`` into ``config``'s kind as a job, if the file is above the
    threshold; else None (the page imports it at once)."""
    data = upload.read()
    rows = estimate_rows(data, upload.name)
    if rows <= settings.CONCORD_JOBS_ROWS_THRESHOLD:
        return None
    from .tasks import import_records

    actor = Actor.from_request(request)
    return services.start(
        request.user,
        "import",
        _("Import of %(file)s (%(records)s, about %(n)s rows)")
        % {
            "file": upload.name,
            "records": str(config.model._meta.verbose_name_plural),
            "n": number_format(rows, force_grouping=True),
        },
        import_records,
        actor=actor,
        input_data=data,
        kind=config.name,
        filename=upload.name,
        request_id=actor.request_id,
        total=rows,
    )


def list_config(list_url: str):
    """The list page's Config (concord.web.generic) from its address."""
    from django.urls import resolve

    return resolve(list_url).func.view_initkwargs["config"]


def export_body(run, *, list_url: str, query: str, fmt: str):
    """(bytes, file name, content type): the page's export, as the job's user sees it now."""
    from types import SimpleNamespace

    from concord.core.importers import write
    from concord.web.generic import list_queryset

    config = list_config(list_url)
    kind, user = config.name, run.user
    request = SimpleNamespace(user=user, GET=QueryDict(query))
    *_rest, qs = list_queryset(config, request)
    spec = SPECS[kind]
    run.progress(0, run.job.total, _("Exporting %(records)s.") % {"records": plural_name(kind)})
    done = 0

    def counted(rows):
        nonlocal done
        for row in rows:
            done += 1
            if done % 500 == 0:
                run.progress(done)
            yield row

    rows = counted(spec.rows(spec.export_queryset(qs).iterator(chunk_size=500), user))
    body, content_type = write(kind, fmt, spec.columns, rows)
    out = io.BytesIO()
    for chunk in body:
        out.write(chunk if isinstance(chunk, bytes) else chunk.encode("utf-8"))
    run.progress(done, done)
    return out.getvalue(), f"concord-{kind}.{extension(fmt)}", content_type, done
