"""Forms for learning. References are typed (operation keys, country names, task codes) and
resolved among the records the user may see, as in imports."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from concord.core.forms import CountryRefField, OrganisationRefField, ScopedForm
from concord.core.importers import RowError
from concord.core.models import Classification, Releasability
from concord.core.sources import format_sources, parse_sources
from concord.core.widgets import SuggestInput
from concord.labour.forms import TaskRefField
from concord.operations.exchange import operation_ref
from concord.operations.forms import AreaListField, LinesField
from concord.operations.models import Operation

from .exchange import guidance_item
from .models import (
    GuidanceChange,
    Lesson,
    LessonBody,
    Observation,
    ObservationState,
    RemedialAction,
)

DATE = {"widget": forms.DateInput(attrs={"type": "date"}), "required": False}


class OperationsField(forms.CharField):
    """Operations typed by key, acronym or name, ';' between them, among those the user may
    see (links to operations the user may not see are kept by the service)."""

    user = None

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", SuggestInput("operations"))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if hasattr(value, "all") or isinstance(value, list | tuple):
            items = value.all() if hasattr(value, "all") else value
            ids = [getattr(o, "pk", o) for o in items]
            ops = Operation.objects.visible_to(self.user).filter(pk__in=ids)
            return "; ".join(o.key or o.acronym or o.name for o in ops)
        return value

    def clean(self, value):
        visible = Operation.objects.visible_to(self.user)
        out = []
        for ref in [v.strip() for v in (value or "").split(";") if v.strip()]:
            try:
                out.append(operation_ref(ref, visible, "operations"))
            except RowError as exc:
                raise forms.ValidationError(exc.message) from None
        return out


def _format_guidance(rows: list[dict] | None) -> str:
    return "\n".join(
        " | ".join([r["title"], r.get("url") or "", str(r.get("on") or "")]).rstrip(" |")
        for r in rows or []
    )


class ObservationForm(ScopedForm):
    operations = OperationsField(
        label=_("Operations"), help_text=_("Keys, acronyms or names, ';' between them.")
    )
    countries = CountryRefField(
        many=True,
        required=False,
        former=True,
        label=_("Countries"),
        help_text=_("Names or ISO codes, ';' between them (Mali; Niger)."),
    )
    areas = AreaListField(
        required=False, label=_("Areas"), help_text=_("Names or codes, ';' (Mopti; ML-7).")
    )
    tasks = TaskRefField(
        many=True,
        required=False,
        label=_("Tasks"),
        help_text=_("Tasks of the catalogue: codes or names, ';' between them."),
    )
    period_start = forms.DateField(**DATE, label=_("From"))
    period_end = forms.DateField(**DATE, label=_("To"))
    sources = LinesField(
        parse=lambda line, user=None: parse_sources(line),
        fmt=lambda v: format_sources(v).replace("; ", "\n"),
        label=_("Evidence"),
        help_text=_("One per line: fact | citation | link."),
    )
    sealed = forms.BooleanField(
        required=False,
        label=_("Submit without attribution"),
        help_text=_(
            "Nobody reading it will see that you submitted it, not even your managers. Only a "
            "knowledge manager named by the owner can reveal it, for a written reason that "
            "the record's history shows."
        ),
    )

    class Meta:
        model = Observation
        fields = [*Observation.FIELDS, *ScopedForm.SECURITY_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["sealed"]  # chosen once, when it is submitted


class LessonForm(ScopedForm):
    """A lesson's abstract; on identification, also the observations it rests on and its
    body, with the body's own classification and releasability."""

    guidance = LinesField(
        parse=lambda line, user=None: [guidance_item(line)],
        fmt=_format_guidance,
        label=_("Guidance changed"),
        help_text=_("One per line: title | link | date (YYYY-MM-DD)."),
    )
    observations = forms.ModelMultipleChoiceField(
        queryset=Observation.objects.none(),
        required=False,
        label=_("Observations"),
        help_text=_("The verified observations this lesson is drawn from."),
    )
    analysis = forms.CharField(widget=forms.Textarea, required=False, label=_("Analysis"))
    conclusion = forms.CharField(widget=forms.Textarea, required=False, label=_("Conclusion"))
    recommendation = forms.CharField(
        widget=forms.Textarea, required=False, label=_("Recommendation")
    )
    body_classification = forms.TypedChoiceField(
        choices=Classification.choices,
        coerce=int,
        initial=Classification.INTERNAL,
        label=_("Body: classification"),
    )
    body_releasability = forms.ChoiceField(
        choices=Releasability.choices,
        initial=Releasability.OWNER,
        label=_("Body: releasability"),
        help_text=_("Partners may see the abstract and not the body."),
    )

    BODY = (
        "observations",
        "analysis",
        "conclusion",
        "recommendation",
        "body_classification",
        "body_releasability",
    )

    class Meta:
        model = Lesson
        fields = [*Lesson.FIELDS, *ScopedForm.SECURITY_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in self.BODY:
                del self.fields[name]
            self.initial["guidance"] = list(
                self.instance.guidance.values("title", "url", "on").order_by("on", "pk")
            )
            return
        self.fields["observations"].queryset = Observation.objects.editable_by(self.user).filter(
            state=ObservationState.VERIFIED
        )
        for name in ("observations", "conclusion", "recommendation"):
            self.fields[name].required = True

    def body(self) -> LessonBody:
        d = self.cleaned_data
        return LessonBody(
            owner=self.instance.owner,
            classification=d["body_classification"],
            releasability=d["body_releasability"],
            analysis=d.get("analysis", ""),
            conclusion=d["conclusion"],
            recommendation=d["recommendation"],
        )

    def children(self):
        from concord.core.services import replace_children

        rows = self.cleaned_data.get("guidance", [])

        def write(lesson, actor):
            replace_children(
                lesson,
                actor,
                GuidanceChange,
                "lesson",
                rows,
                error=lambda i, msgs: {
                    "guidance": gettext("Line %(n)s: %(message)s")
                    % {"n": i, "message": " ".join(msgs)}
                },
            )

        return write


class LessonBodyForm(ScopedForm):
    class Meta:
        model = LessonBody
        fields = [*LessonBody.FIELDS, *ScopedForm.SECURITY_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        lessons = Lesson.objects.editable_by(self.user)
        if self.instance.pk:
            del self.fields["lesson"]  # a body stays with its lesson
        else:
            self.fields["lesson"].queryset = lessons.filter(body__isnull=True)


class RemedialActionForm(ScopedForm):
    action_body = OrganisationRefField(
        required=True,
        label=_("Action body"),
        help_text=_("Who must make the change: any organisation (acronym or name)."),
    )
    due = forms.DateField(**DATE, label=_("Due"))
    completed_on = forms.DateField(**DATE, label=_("Completed on"))

    class Meta:
        model = RemedialAction
        fields = [*RemedialAction.FIELDS, *ScopedForm.SECURITY_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lesson"].queryset = Lesson.objects.editable_by(self.user)


class StepForm(forms.Form):
    to = forms.ChoiceField(label=_("Step"))
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label=_("Reason"),
        help_text=_("Needed to reject or archive."),
    )


class BreakSealForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=10,
        label=_("Why the seal must be broken"),
        help_text=_("This reason is kept in the observation's history, with your name."),
    )
