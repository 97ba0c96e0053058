"""Forms for learning. References are typed (operation keys, country names, task codes) and
resolved among the records the user may see, as in imports."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from concord.core.forms import CountryRefField, OrganisationRefField, ScopedForm
from concord.core.importers import RowError
from concord.core.models import Classification, Releasability
from concord.core.sources import format_sources, parse_sources
from concord.core.widgets import SuggestInput
from concord.labour.forms import TaskRefField
from concord.operations.exchange import operation_ref
from concord.operations.forms import AreaListField, LinesField, OperationRefField
from concord.operations.models import Operation

from . import loaders
from .exchange import guidance_item
from .models import (
    Decision,
    Disposition,
    GuidanceChange,
    Lesson,
    LessonBody,
    Observation,
    ObservationState,
    RemedialAction,
    RequestState,
    SupportModule,
    SupportRequest,
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

    same_as = forms.IntegerField(
        required=False,
        widget=forms.RadioSelect,
        label=_("It is the same as"),
        help_text=_(
            "Propose yours as the same as one of these: whoever verifies it decides. Nothing is "
            "merged without a person's step."
        ),
    )
    record_anyway = forms.BooleanField(
        required=False,
        label=_("Record it although alike records exist"),
        help_text=_("Concord shows the observations and lessons alike yours before recording it."),
    )

    hints_template = "learning/similar.html"

    class Meta:
        model = Observation
        fields = [*Observation.FIELDS, *ScopedForm.SECURITY_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.hints = []
        if self.instance.pk:
            for name in ("sealed", "same_as", "record_anyway"):
                del self.fields[name]  # chosen once, when it is submitted
            return
        live_hints(self, "what_happened")
        if self.is_bound:
            self.hints = loaders.similar(
                self.user, self.data.get("title", ""), self.data.get("what_happened", "")
            )
        alike = [h for h in self.hints if h.kind == "observation"]
        if alike:
            self.fields["same_as"].widget.choices = [
                ("", gettext("None of them: it is another")),
                *[(h.record.pk, h.record.title) for h in alike],
            ]
        else:
            del self.fields["same_as"]

    def clean(self):
        data = super().clean()
        if self.hints and not data.get("record_anyway") and not data.get("same_as"):
            self.add_error(
                "record_anyway",
                gettext(
                    "Observations or lessons alike yours exist (listed below): read them, then "
                    "tick this to record yours, or say which one it is the same as."
                ),
            )
        return data

    def same_as_record(self) -> Observation | None:
        pk = self.cleaned_data.get("same_as")
        return Observation.objects.visible_to(self.user).filter(pk=pk).first() if pk else None


def live_hints(form, text_field: str) -> None:
    """Ask for alike records while the title and ``text_field`` are typed (htmx); without
    JavaScript they are shown when the form is sent."""
    url = reverse("learning:similar")
    for name in ("title", text_field):
        form.fields[name].widget.attrs.update(
            {
                "hx-post": url,
                "hx-trigger": "input changed delay:700ms",  # untranslated: htmx syntax
                "hx-target": "#similar",
                "hx-include": "closest form",  # untranslated: htmx syntax
                "hx-vals": f'{{"text_field": "{text_field}"}}',
            }
        )


class LessonForm(ScopedForm):
    """A lesson's abstract; on identification, also the observations it rests on and its
    body, with the body's own classification and releasability."""

    guidance = LinesField(
        parse=lambda line, user=None: [guidance_item(line)],
        fmt=_format_guidance,
        label=_("Guidance changed"),
        help_text=_("One per line: title | link | date (YYYY-MM-DD)."),
    )
    operations = OperationsField(
        label=_("Operations"),
        help_text=_(
            "Where it was learned: keys, acronyms or names, ';' between them. Empty: the "
            "operations of its observations."
        ),
    )
    countries = CountryRefField(
        many=True,
        required=False,
        former=True,
        label=_("Countries"),
        help_text=_("Names or ISO codes, ';' between them. Empty: those of its observations."),
    )
    tasks = TaskRefField(
        many=True,
        required=False,
        label=_("Tasks"),
        help_text=_("Codes or names, ';' between them. Empty: those of its observations."),
    )
    identified_on = forms.DateField(**DATE, label=_("Identified on"), help_text=_("Empty: today."))
    sources = LinesField(
        parse=lambda line, user=None: parse_sources(line),
        fmt=lambda v: format_sources(v).replace("; ", "\n"),
        label=_("Sources"),
        help_text=_("One per line: fact | citation | link."),
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

    hints_template = "learning/similar.html"
    hints: list = []

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
        live_hints(self, "abstract")
        self.fields["observations"].queryset = Observation.objects.editable_by(self.user).filter(
            state=ObservationState.VERIFIED
        )
        for name in ("observations", "conclusion", "recommendation"):
            self.fields[name].required = True

    def clean_identified_on(self):
        return self.cleaned_data.get("identified_on") or timezone.localdate()

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


class LessonRefField(forms.CharField):
    """A lesson typed by its title, among those the user may see."""

    user = None

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", SuggestInput("lessons"))
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, int) or hasattr(value, "pk"):
            found = Lesson.objects.visible_to(self.user).filter(pk=getattr(value, "pk", value))
            return found.first().title if found.exists() else ""
        return value

    def clean(self, value):
        value = (value or "").strip()
        if not value:
            raise forms.ValidationError(gettext("Name the lesson."))
        found = list(Lesson.objects.visible_to(self.user).filter(title__iexact=value)[:2])
        if len(found) != 1:
            raise forms.ValidationError(
                gettext("No lesson you may see has this title: %(title)s") % {"title": value}
                if not found
                else gettext("Several lessons have this title: %(title)s") % {"title": value}
            )
        return found[0]


class DispositionForm(ScopedForm):
    """A planner's answer to a lesson surfaced for an operation."""

    operation = OperationRefField(label=_("Operation"), help_text=_("Key, acronym or name."))
    lesson = LessonRefField(label=_("Lesson"), help_text=_("Its title."))
    decided_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), label=_("Decided on")
    )

    class Meta:
        model = Disposition
        fields = [*Disposition.FIELDS, *ScopedForm.SECURITY_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = Decision.choices


class SupportModuleForm(ScopedForm):
    available_from = forms.DateField(**DATE, label=_("Offered from"))
    available_until = forms.DateField(**DATE, label=_("Offered until"))
    sources = LinesField(
        parse=lambda line, user=None: parse_sources(line),
        fmt=lambda v: format_sources(v).replace("; ", "\n"),
        label=_("Sources"),
        help_text=_("One per line: fact | citation | link."),
    )

    class Meta:
        model = SupportModule
        fields = [*SupportModule.FIELDS, *ScopedForm.SECURITY_FIELDS]


class SupportRequestForm(ScopedForm):
    """An operation asks for a module; the offering institution always sees the request."""

    operation = OperationRefField(label=_("Operation"), help_text=_("Key, acronym or name."))
    wanted_from = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), label=_("Wanted from")
    )
    wanted_until = forms.DateField(**DATE, label=_("Wanted until"))

    class Meta:
        model = SupportRequest
        fields = [*SupportRequest.FIELDS, *ScopedForm.SECURITY_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["module"].queryset = SupportModule.objects.visible_to(self.user)
        self.fields["releasability"].help_text = _(
            "The institution offering the module always sees the request."
        )


class AnswerForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            (RequestState.ACCEPTED, RequestState.ACCEPTED.label),
            (RequestState.DECLINED, RequestState.DECLINED.label),
            (RequestState.ALTERNATIVE, RequestState.ALTERNATIVE.label),
        ],
        label=_("Answer"),
    )
    answer = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label=_("Why"),
        help_text=_("Needed to decline or to propose an alternative."),
    )
    alternative = forms.ModelChoiceField(
        queryset=SupportModule.objects.none(), required=False, label=_("Alternative module")
    )
