"""Forms for the division of labour. References are typed (task codes, acronyms, P-codes) and
resolved among the records the user may see, as in imports, so a form and a file agree."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from concord.core.forms import (
    AreaRefField,
    CountryRefField,
    OrganisationRefField,
    ScopedForm,
    SuggestInput,
    code_in_brackets,
    one_or_many,
    shown_codes,
)
from concord.core.importers import RowError, _choice, _date
from concord.core.models import Country, Space
from concord.core.sources import format_sources, parse_sources, parts
from concord.operations.forms import (
    LinesField,
    OptionalOperationField,
)

from .exchange import TaskMatcher
from .models import (
    Arrangement,
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    ClashRule,
    Need,
    Priority,
    ReviewStatus,
    SectorMapping,
    Task,
)

DATE = {"widget": forms.DateInput(attrs={"type": "date"}), "required": False}


def _one_task_named(words: str, user) -> Task | None:
    """The one task whose name or code holds these words ("mediation": Good offices and
    mediation support), as the header's search finds it; None if none or several do."""
    from concord.core import search

    words = code_in_brackets(words) or words  # as suggested: "Name (code)"
    groups = search.find(user, words, kind="tasks", limit=2)
    hits = [h for g in groups for h in g.hits]
    return hits[0].record if len(hits) == 1 else None


class TaskRefField(forms.CharField):
    """Tasks typed by code or name (';' between several), among those the user may see."""

    def __init__(self, *args, many=False, **kwargs):
        self.many, self.user = many, None
        kwargs.setdefault("widget", SuggestInput("tasks"))
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        return shown_codes(value, Task.objects.visible_to(self.user), "code")

    def clean(self, value):
        names = [v.strip() for v in (value or "").split(";") if v.strip()]
        if self.required and not names:
            raise forms.ValidationError(gettext("Give a task (its code, e.g. 'poc')."))
        matcher = TaskMatcher(Task.objects.visible_to(self.user))
        found = []
        for name in names:
            task = matcher.match(name) or _one_task_named(name, self.user)
            if task is None:
                raise forms.ValidationError(
                    gettext("No task %(name)r in the catalogue: give its code or its name.")
                    % {"name": name}
                )
            found.append(task)
        return one_or_many(found, self.many, "task")


def _with_users(form):
    for f in form.fields.values():
        if hasattr(f, "user"):
            f.user = form.user


class TaskForm(ScopedForm):
    parent = TaskRefField(required=False, label=_("Parent"), help_text=_("The parent task's code."))
    hxl_sectors = forms.CharField(
        required=False,
        label=_("HXL sectors"),
        help_text=_("HXL #sector codes and names that mean this task, ';'."),
    )
    hxl_activities = forms.CharField(
        required=False,
        label=_("HXL activities"),
        help_text=_("HXL #activity codes and names, ';'."),
    )

    class Meta:
        model = Task
        fields = [*Task.FIELDS, *ScopedForm.SECURITY_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _with_users(self)
        for name in ("hxl_sectors", "hxl_activities"):
            if self.instance.pk:
                self.initial[name] = "; ".join(getattr(self.instance, name) or [])

    def _split(self, name):
        return [v.strip() for v in self.cleaned_data.get(name, "").split(";") if v.strip()]

    def clean_hxl_sectors(self):
        return self._split("hxl_sectors")

    def clean_hxl_activities(self):
        return self._split("hxl_activities")


class SectorMappingForm(ScopedForm):
    task = TaskRefField(
        label=_("Task"), help_text=_("The task the sector stands for, e.g. 'child_protection'.")
    )

    class Meta:
        model = SectorMapping
        fields = [*SectorMapping.FIELDS, *ScopedForm.SECURITY_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _with_users(self)


class ClashRuleForm(ScopedForm):
    task_a = TaskRefField(label=_("Task A"), help_text=_("e.g. 'counter_terrorism'"))
    task_b = TaskRefField(label=_("Task B"), help_text=_("e.g. 'humanitarian_access'"))

    class Meta:
        model = ClashRule
        fields = [*ClashRule.FIELDS, *ScopedForm.SECURITY_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _with_users(self)


class PlaceForm(ScopedForm):
    task = TaskRefField(label=_("Task"), help_text=_("Task code, e.g. 'poc'."))
    country = CountryRefField(
        label=_("Country"), help_text=_("Its name or ISO code, e.g. Mali or MLI.")
    )
    area = AreaRefField(
        country_field="country",
        label=_("Area"),
        help_text=_(
            "Optional: a region or district of the country, by name or code (Mopti, ML-5)."
        ),
    )
    start = forms.DateField(label=_("Start"), **DATE)
    end = forms.DateField(label=_("End"), **DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _with_users(self)


class NeedForm(PlaceForm):
    class Meta:
        model = Need
        fields = [*Need.FIELDS, *ScopedForm.SECURITY_FIELDS]


class AssignmentForm(PlaceForm):
    organisation = OrganisationRefField(
        label=_("Organisation"),
        help_text=_("Who: an organisation (acronym or name)…"),
    )
    operation = OptionalOperationField(
        required=False, label=_("Operation"), help_text=_("… or an operation (key or acronym).")
    )

    class Meta:
        model = Assignment
        fields = [*Assignment.FIELDS, *ScopedForm.SECURITY_FIELDS]


class ArrangementForm(ScopedForm):
    organisations = OrganisationRefField(
        many=True, label=_("Organisations"), help_text=_("Parties: acronyms or names, ';'.")
    )
    operations = forms.CharField(
        required=False, label=_("Operations"), help_text=_("Parties: operation keys, ';'.")
    )
    tasks = TaskRefField(
        many=True,
        required=False,
        label=_("Tasks"),
        help_text=_("Task codes, ';' (empty: all tasks)."),
    )
    countries = CountryRefField(
        many=True,
        required=False,
        label=_("Countries"),
        help_text=_("Names or ISO codes, ';' between them."),
    )
    areas = forms.CharField(
        required=False, label=_("Areas"), help_text=_("P-codes or ISO codes, ';' (empty: all).")
    )
    start = forms.DateField(label=_("Start"), **DATE)
    end = forms.DateField(label=_("End"), **DATE)
    sources = LinesField(
        label=_("Sources"),
        parse=lambda line, user=None: parse_sources(line),
        fmt=lambda v: format_sources(v).replace("; ", "\n"),
        help_text=_("One per line: fact | citation | link."),
    )

    class Meta:
        model = Arrangement
        fields = [*Arrangement.FIELDS, *ScopedForm.SECURITY_FIELDS]

    def __init__(self, *args, **kwargs):
        from concord.operations.forms import AreaListField

        super().__init__(*args, **kwargs)
        self.fields["areas"] = AreaListField(
            required=False,
            label=_("Areas"),
            help_text=_("P-codes or ISO codes, ';' (empty: everywhere)."),
        )
        _with_users(self)
        if self.instance.pk:
            self.initial["operations"] = "; ".join(
                o.key or o.acronym or o.name for o in self.instance.operations.visible_to(self.user)
            )
        self.order_fields(Arrangement.FIELDS)

    def clean_operations(self):
        from concord.operations.exchange import operation_ref
        from concord.operations.models import Operation

        qs = Operation.objects.visible_to(self.user)
        out = []
        for name in [v.strip() for v in self.cleaned_data.get("operations", "").split(";")]:
            if name:
                try:
                    out.append(operation_ref(name, qs, "operations"))
                except RowError as exc:
                    raise forms.ValidationError(exc.message) from None
        return out


# --- the mandate of an operation ------------------------------------------------------------


def parse_mandate_line(line: str, user=None) -> list[dict]:
    """'task | source | paragraph | priority | start | end'."""
    task, source, paragraph, priority, start, end = parts(line, 6)
    if not task or not source:
        raise RowError(None, gettext("write 'task | source | paragraph | priority | start | end'"))
    found = TaskMatcher(Task.objects.visible_to(user)).match(task)
    if found is None:
        raise RowError(None, gettext("no task %(name)r in the catalogue") % {"name": task})
    return [
        {
            "task": found,
            "source": source,
            "paragraph": paragraph,
            "priority": _choice(priority, Priority.choices, "priority", Priority.OTHER),
            "start": _date(start, "start"),
            "end": _date(end, "end"),
        }
    ]


def format_mandate_line(m) -> str:
    return " | ".join(
        [
            m.task.code,
            m.source,
            m.paragraph,
            m.priority,
            m.start.isoformat() if m.start else "",
            m.end.isoformat() if m.end else "",
        ]
    ).rstrip(" |")


class MandateForm(forms.Form):
    mandate = LinesField(
        widget=forms.Textarea(attrs={"rows": 12}),
        label=_("Mandate"),
        help_text=_(
            "One task per line: task | source | paragraph | priority | start | end, e.g. "
            "'poc | S/RES/2100 (2013) | OP 16(c)(i) | priority | 2013-06-25 | 2014-06-30'. "
            "Priority: priority or other. Empty dates: the operation's own."
        ),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mandate"].parse = parse_mandate_line
        self.fields["mandate"].user = user


# --- the analysis page and reviews ----------------------------------------------------------


class AnalysisForm(forms.Form):
    country = forms.CharField(
        required=False, label=_("Country"), help_text=_("ISO alpha-3, e.g. MLI")
    )
    start = forms.DateField(
        required=False, label=_("From"), widget=forms.DateInput({"type": "date"})
    )
    end = forms.DateField(required=False, label=_("To"), widget=forms.DateInput({"type": "date"}))
    task = forms.CharField(
        required=False, label=_("Task"), help_text=_("Task code (with its sub-tasks)")
    )
    organisation = forms.CharField(
        required=False, label=_("Organisation"), help_text=_("Acronym or name")
    )
    operation = forms.CharField(
        required=False, label=_("Operation"), help_text=_("Operation key or acronym")
    )
    space = forms.ModelChoiceField(queryset=Space.objects.none(), required=False, label=_("Space"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["space"].queryset = Space.objects.visible_to(user)

    def clean_country(self):
        code = self.cleaned_data["country"].strip().upper()
        if code and not Country.objects.filter(alpha3=code).exists():
            raise forms.ValidationError(
                gettext("%(code)r is not an ISO alpha-3 country code.") % {"code": code}
            )
        return code

    def clean_task(self):
        value = self.cleaned_data["task"].strip()
        if not value:
            return None
        task = TaskMatcher(Task.objects.visible_to(self.user)).match(value)
        if task is None:
            raise forms.ValidationError(
                gettext("No task %(name)r in the catalogue.") % {"name": value}
            )
        return task

    def clean_organisation(self):
        field = OrganisationRefField()
        field.user = self.user
        return field.clean(self.cleaned_data["organisation"])

    def clean_operation(self):
        field = OptionalOperationField(required=False)
        field.user = self.user
        return field.clean(self.cleaned_data["operation"])

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", gettext("The end is before the start."))
        return data


class ReviewForm(forms.Form):
    key = forms.CharField(max_length=200, widget=forms.HiddenInput)
    status = forms.ChoiceField(choices=ReviewStatus.choices, label=_("Status"))
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}))


ROLE_CHOICES = AssignmentRole.choices
STATUS_CHOICES = AssignmentStatus.choices
