"""Generic views for scoped records: list (filter, sort, paginate, export), detail, edit,
delete and history. A capability declares a :class:`Config` per model and gets all five from
:func:`object_urls`. Reads go through ``visible_to``; writes through ``services``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View

from concord.core import services
from concord.core.access import CHANGE, DELETE, VIEW, access, may
from concord.core.context import Actor
from concord.core.history import HISTORY_LIMIT, history_for, rendered
from concord.core.importers import SPECS
from concord.core.paging import CappedPaginator, stable
from concord.core.visibility import VisibleLabels
from concord.exchange import tabular


@dataclass
class Column:
    label: str
    value: Callable  # (obj, labels) -> str
    sort: str | None = None
    link: bool = False


@dataclass
class Config:
    model: type
    name: str  # url prefix and export kind, e.g. "organisations"
    singular: str  # what one record is called, in words (marked: gettext_lazy)
    filterset: type
    form: type
    columns: list[Column]
    detail_fields: Callable  # (obj, labels) -> list[(label, value)]
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    default_sort: str = "name"
    formset: type | None = None
    formset_prefix: str = "affiliations"
    extra_detail: Callable | None = None  # (obj, labels, user) -> list[(title, rows)]
    extra_context: Callable | None = None  # (obj, user, request) -> dict for the detail page
    # (obj, labels) -> what the record is, in words, from what the reader may see
    # ("Assignment: WFP leads food security in Gao, 2020"); str(obj) without it
    title: Callable | None = None
    detail_template: str = "web/detail.html"
    children: Callable | None = None  # (form) -> services.save children callback
    # (form, actor, m2m, children) -> the new record: creating is a use case rather than a
    # plain save (an observation submitted, perhaps sealed; a lesson identified with its body)
    create: Callable | None = None
    url_name: str = field(default="")
    namespace: str = field(default="")  # the capability's URL namespace (its app label)
    # Platform administrators may add records of this kind though they belong to no
    # organisation (organisations taking part in the platform, which own their own entry).
    admin_may_create: bool = False
    # What the records are called, in words, in lower case (the list's title, "Import …"),
    # marked for translation (gettext_lazy): "clash rules"; the model's verbose_name_plural
    # without it.
    plural: str = ""

    def __post_init__(self):
        self.plural = self.plural or self.model._meta.verbose_name_plural
        self.url_name = self.url_name or self.model._meta.model_name
        self.namespace = self.namespace or self.model._meta.app_label

    def may_create(self, user) -> bool:
        if not (user and user.is_authenticated):
            return False
        if self.admin_may_create and user.is_superuser:
            return True
        return bool(user.principal().orgs_with_role("contributor"))


def report_refusal(request, exc: ValidationError | PermissionDenied) -> None:
    """A service's refusal of an action, as a message on the page the user goes back to."""
    messages.error(
        request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    )


def _url(config: Config, action: str, **kw) -> str:
    return reverse(f"{config.namespace}:{config.url_name}_{action}", kwargs=kw or None)


class ConfigView(View):
    config: Config = None

    @property
    def model(self):
        return self.config.model

    def visible(self):
        return self.model.objects.visible_to(self.request.user)

    def get_visible(self, pk, action: str = VIEW):
        """The record ``pk`` for ``action``, through the access helper (absent when
        invisible, forbidden when visible but not the user's to change)."""
        return access(self.model, self.request.user, pk, action)


def list_queryset(config: Config, request):
    """The list's records as ``request.user`` may see them, filtered and sorted by
    ``request.GET``: the page, its export, and the export run later as a job (with the
    user's visibility at that time) read the same records in the same order."""
    qs = config.model.objects.visible_to(request.user)
    if config.select_related:
        qs = qs.select_related(*config.select_related)
    if config.prefetch_related:
        qs = qs.prefetch_related(*config.prefetch_related)
    filterset = config.filterset(request.GET, queryset=qs, request=request)
    qs = filterset.qs if filterset.is_valid() else qs.none()
    sortable = {c.sort for c in config.columns if c.sort}
    sort = request.GET.get("sort", config.default_sort)
    if sort.lstrip("-") not in sortable:
        sort = config.default_sort
    return filterset, sort, qs.order_by(*stable([sort]))


def background(what: str):
    """The function that runs a large import or export as a job, if a capability offers
    one (concord.core.importers.BACKGROUND), else None."""
    from concord.core import capabilities, importers

    path = importers.BACKGROUND.get(what)
    return capabilities.resolve(path) if path else None


def _export_in_background(config: Config, request, qs, fmt: str):
    """A job's page for an export above the threshold (signed-in users), else None."""
    from django.conf import settings

    from concord.core.paging import capped_count

    start = background("export")
    limit = settings.CONCORD_JOBS_ROWS_THRESHOLD
    if start is None or not request.user.is_authenticated or fmt not in SPECS[config.name].formats:
        return None
    _count, exact = capped_count(qs, limit)
    if exact:  # at most the threshold
        return None
    job = start(config, request, fmt, qs.count())
    messages.info(
        request, _("The export runs in the background: %(title)s.") % {"title": job.title}
    )
    return redirect(job.get_absolute_url())


class ListView(ConfigView):
    page_size = 50

    def get(self, request):
        filterset, sort, qs = list_queryset(self.config, request)
        fmt = request.GET.get("export")
        if fmt:
            return _export_in_background(self.config, request, qs, fmt) or export_response(
                self.config.name, qs, request.user, fmt
            )
        exact = request.GET.get("count") == "exact"
        page = CappedPaginator(qs, self.page_size, exact=exact).get_page(request.GET.get("page"))
        labels = VisibleLabels(request.user)
        objs = list(page)
        labels.preload(objs)  # every link of the page in one query per linked model
        rows = [(obj, [c.value(obj, labels) for c in self.config.columns]) for obj in objs]
        query = request.GET.copy()
        query.pop("page", None)
        sort_query = query.copy()
        sort_query.pop("sort", None)
        can_add = self.config.may_create(request.user)
        return render(
            request,
            "web/list.html",
            {
                "config": self.config,
                "filter": filterset,
                "page": page,
                "rows": rows,
                "sort": sort,
                "query": query.urlencode(),
                "count_url": "?" + "&".join(filter(None, [query.urlencode(), "count=exact"])),
                "sort_query": sort_query.urlencode(),
                "can_add": can_add,
                "add_url": _url(self.config, "add"),
                "import_url": _url(self.config, "import"),
                "formats": SPECS[self.config.name].formats,
            },
        )


def export_response(kind: str, queryset, user, fmt: str):
    """Stream the visible, filtered records; formula cells are neutralised by the writers."""
    from concord.core.importers import extension, write

    spec = SPECS[kind]
    if fmt not in spec.formats:
        raise Http404(_("Unknown export format."))
    rows = spec.rows(spec.export_queryset(queryset).iterator(chunk_size=500), user)
    body, content_type = write(kind, fmt, spec.columns, rows)
    cls = HttpResponse if isinstance(body, bytes) else StreamingHttpResponse
    response = cls(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="concord-{kind}.{extension(fmt)}"'
    return response


def template_response(kind: str, fmt: str = "csv"):
    """An empty file with the columns (and, for HXL, the hashtags) of ``kind``."""
    return export_response(kind, SPECS[kind].model.objects.none(), None, fmt)


class DetailView(ConfigView):
    tab = "detail"

    def get(self, request, pk):
        obj = self.get_visible(pk)
        labels = VisibleLabels(request.user)
        user = request.user
        ctx = {
            "config": self.config,
            "object": obj,
            "title": self.config.title(obj, labels) if self.config.title else str(obj),
            "tab": self.tab,
            "can_edit": may(user, obj, CHANGE),
            "can_delete": may(user, obj, DELETE),
            "detail_url": _url(self.config, "detail", pk=obj.pk),
            "edit_url": _url(self.config, "edit", pk=obj.pk),
            "delete_url": _url(self.config, "delete", pk=obj.pk),
            "history_url": _url(self.config, "history", pk=obj.pk),
            "list_url": _url(self.config, "list"),
        }
        if self.tab == "history":
            if not user.is_authenticated:
                raise PermissionDenied(_("Sign in to see the history of a record."))
            ctx["entries"] = rendered(history_for(obj, user, limit=HISTORY_LIMIT), user)
        else:
            ctx["fields"] = self.config.detail_fields(obj, labels)
            ctx["security"] = security_fields(obj, labels, user)
            ctx["sections"] = (
                self.config.extra_detail(obj, labels, user) if self.config.extra_detail else []
            )
            if self.config.extra_context:
                ctx.update(self.config.extra_context(obj, user, request))
        return render(request, self.config.detail_template, ctx)


def security_fields(obj, labels, user) -> list[tuple[str, str]]:
    from concord.core.models import Organisation, Space

    shared = [labels.get(Organisation, o.pk) for o in obj.shared_organisations.all()]
    rows = [
        (_("Owner"), labels.label(Organisation, obj.owner_id)),
        (_("Classification"), obj.get_classification_display()),
        (_("Releasability"), obj.get_releasability_display()),
    ]
    if obj.releasability == "organisations":
        rows.append((_("Released to"), ", ".join(str(o) for o in shared if o is not None) or "—"))
    if obj.releasability == "spaces":
        spaces = [labels.get(Space, s.pk) for s in obj.shared_spaces.all()]
        rows.append((_("Released to spaces"), ", ".join(s.name for s in spaces if s) or "—"))
    return rows


class EditView(LoginRequiredMixin, ConfigView):
    """Create (no pk) or edit. Model validation errors from the service land on the fields."""

    def get_object(self, pk):
        if pk is None:
            if not self.config.may_create(self.request.user):
                raise PermissionDenied(_("Your role does not allow creating records."))
            return self.model()
        return self.get_visible(pk, CHANGE)

    def forms(self, obj, data=None):
        # A new record may start from the page it was added from (``?case=12``).
        initial = None
        if data is None and obj.pk is None:
            initial = {
                k: v for k, v in self.request.GET.items() if k in self.config.form.base_fields
            }
        form = self.config.form(data, instance=obj, user=self.request.user, initial=initial)
        formset = None
        if self.config.formset:
            from concord.core.models import Organisation

            # Rows resting on an organisation the user may not see are neither shown nor
            # removed: the service keeps them (services.set_affiliations).
            visible = Organisation.objects.visible_to(self.request.user)
            rows = self.config.formset.model.objects.filter(organisation__in=visible)
            formset = self.config.formset(
                data,
                instance=obj,
                prefix=self.config.formset_prefix,
                queryset=rows if obj.pk else rows.none(),
            )
            for f in formset.forms + [formset.empty_form]:
                f.fields["organisation"].queryset = visible
        return form, formset

    def render_form(self, obj, form, formset, status=200):
        return render(
            self.request,
            "web/form.html",
            {
                "config": self.config,
                "object": obj,
                "form": form,
                "formset": formset,
                "cancel_url": _url(self.config, "detail", pk=obj.pk)
                if obj.pk
                else _url(self.config, "list"),
            },
            status=status,
        )

    def get(self, request, pk=None):
        obj = self.get_object(pk)
        form, formset = self.forms(obj)
        return self.render_form(obj, form, formset)

    def post(self, request, pk=None):
        obj = self.get_object(pk)
        form, formset = self.forms(obj, request.POST)
        valid = form.is_valid() & (formset.is_valid() if formset else True)
        if valid:
            children = None
            if formset is not None:
                rows = [
                    {k: f.cleaned_data[k] for k in ("organisation", "title", "start", "end")}
                    for f in formset.forms
                    if f.cleaned_data
                    and not f.cleaned_data.get("DELETE")
                    and f.cleaned_data.get("organisation")
                ]
                children = services.set_affiliations(rows)
            if self.config.children:
                children = self.config.children(form)
            try:
                save = (self.config.create if pk is None else None) or _plain_save
                saved = save(form, Actor.from_request(request), form.m2m_data(), children)
            except ValidationError as exc:
                errors_to_form(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Saved %(record)s.") % {"record": saved})
                return redirect(_url(self.config, "detail", pk=saved.pk))
            if pk is None:
                form.instance.pk = None
                obj.pk = None
        return self.render_form(obj, form, formset, status=400)


def _plain_save(form, actor, m2m, children):
    return services.save(form.instance, actor=actor, m2m=m2m, children=children)


def errors_to_form(form, exc: ValidationError) -> None:
    """A service's field-named errors onto the form's fields (others above the form)."""
    if hasattr(exc, "error_dict"):
        for fieldname, errs in exc.message_dict.items():
            target = fieldname if fieldname in form.fields else None
            for e in errs:
                form.add_error(
                    target, e if target else f"{fieldname}: {e}" if fieldname != "__all__" else e
                )
    else:
        for e in exc.messages:
            form.add_error(None, e)


class DeleteView(LoginRequiredMixin, ConfigView):
    def get_object(self, pk):
        return self.get_visible(pk, DELETE)

    def get(self, request, pk):
        obj = self.get_object(pk)
        return render(
            request,
            "web/confirm_delete.html",
            {
                "config": self.config,
                "object": obj,
                "cancel_url": _url(self.config, "detail", pk=pk),
            },
        )

    def post(self, request, pk):
        obj = self.get_object(pk)
        label = str(obj)
        try:
            services.delete(obj, actor=Actor.from_request(request))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(_url(self.config, "detail", pk=pk))
        messages.success(request, _("Deleted %(record)s.") % {"record": label})
        return redirect(_url(self.config, "list"))


class ImportView(LoginRequiredMixin, ConfigView):
    def get(self, request):
        from concord.core.forms import ImportForm

        return self._render(ImportForm())

    def _render(self, form, errors=None, status=200):
        return render(
            self.request,
            "web/import.html",
            {
                "config": self.config,
                "form": form,
                "errors": errors or [],
                "columns": SPECS[self.config.name].columns,
                "list_url": _url(self.config, "list"),
                "template_url": _url(self.config, "template"),
                "formats": SPECS[self.config.name].formats,
            },
            status=status,
        )

    def post(self, request):
        from concord.core.forms import ImportForm
        from concord.core.importers import import_file

        if not request.user.principal().orgs_with_role("contributor"):
            raise PermissionDenied(_("Your role does not allow importing records."))
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(form, status=400)
        upload = form.cleaned_data["file"]
        start = background("import_")
        if start is not None:
            job = start(self.config, request, upload)
            if job is not None:
                messages.info(
                    request,
                    _("The import runs in the background: %(title)s.") % {"title": job.title},
                )
                return redirect(job.get_absolute_url())
            upload.seek(0)
        try:
            saved = import_file(
                self.config.name, upload.read(), upload.name, actor=Actor.from_request(request)
            )
        except tabular.FileRejected as exc:
            return self._render(form, errors=[str(e) for e in exc.errors], status=400)
        messages.success(
            request,
            _("Imported %(count)s %(kind)s from %(file)s.")
            % {"count": len(saved), "kind": self.config.plural, "file": upload.name},
        )
        return redirect(_url(self.config, "list"))


class TemplateDownloadView(ConfigView):
    """An empty file with the import columns (and hashtags, for HXL): ?format=csv|xlsx|json|hxl"""

    def get(self, request):
        fmt = request.GET.get("format", "csv")
        return template_response(self.config.name, fmt)


def object_urls(config: Config) -> list:
    n = config.url_name
    p = config.name
    return [
        path(f"{p}/", ListView.as_view(config=config), name=f"{n}_list"),
        path(f"{p}/add/", EditView.as_view(config=config), name=f"{n}_add"),
        path(f"{p}/import/", ImportView.as_view(config=config), name=f"{n}_import"),
        path(f"{p}/template/", TemplateDownloadView.as_view(config=config), name=f"{n}_template"),
        path(f"{p}/<int:pk>/", DetailView.as_view(config=config), name=f"{n}_detail"),
        path(f"{p}/<int:pk>/edit/", EditView.as_view(config=config), name=f"{n}_edit"),
        path(f"{p}/<int:pk>/delete/", DeleteView.as_view(config=config), name=f"{n}_delete"),
        path(
            f"{p}/<int:pk>/history/",
            DetailView.as_view(config=config, tab="history"),
            name=f"{n}_history",
        ),
    ]
