"""Forms for operations and relations. Lists are typed as text (one item per line, parts
separated by '|'), parsed by the same functions as imports, so a form and a file agree."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from concord.core.forms import (
    Column,
    CountryRefField,
    ListField,
    OrganisationRefField,
    RowsWidget,
    ScopedForm,
    SuggestInput,
    area_key,
    code_in_brackets,
    find_area,
    find_country,
)
from concord.core.importers import RowError, _choice, _date
from concord.core.models import Area, Country
from concord.core.sources import format_sources, parse_sources, parts
from concord.core.visibility import VisibleLabels

from .exchange import _int, format_authorisation, format_contribution
from .models import AuthorisationKind, Operation, Relation, Scenario
from .services import set_children


class AreaListField(forms.CharField):
    """P-codes, ISO 3166-2 codes or names separated by ';', among the areas the user may
    see (areas the user may not see are neither shown nor removed: see the service)."""

    user = None

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", SuggestInput("areas"))
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if hasattr(value, "all") or isinstance(value, list | tuple):
            items = value.all() if hasattr(value, "all") else value
            ids = [getattr(a, "pk", a) for a in items]
            areas = Area.objects.visible_to(self.user).filter(pk__in=ids)
            return "; ".join(area_key(a) for a in areas)
        return value

    def clean(self, value):
        out = []
        for code in [v.strip() for v in (value or "").split(";") if v.strip()]:
            area = find_area(code, self.user)
            if area is None:
                raise forms.ValidationError(
                    gettext("No area with P-code, ISO code or name %(code)s.")
                    % {"code": repr(code)}
                )
            out.append(area)
        return out


class LinesField(forms.CharField):
    """One item per line, parts separated by '|'; ``parse`` raises RowError on a bad line."""

    widget = forms.Textarea(attrs={"rows": 3})

    user = None

    def __init__(self, *args, parse=None, fmt=None, **kwargs):
        self.parse, self.fmt = parse, fmt
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.rows = isinstance(self.widget, RowsWidget)

    def prepare_value(self, value):
        return self.fmt(value) if self.fmt and not isinstance(value, str) else value

    def clean(self, value):
        lines = [v.strip() for v in (value or "").splitlines() if v.strip()]
        out = []
        for i, line in enumerate(lines, start=1):
            try:
                out.extend(self.parse(line, self.user))
            except RowError as exc:
                raise forms.ValidationError(self._where(i, exc)) from None
        return out

    def _where(self, i: int, exc: RowError) -> str:
        """The error of line (or row) ``i``, as one sentence per case."""
        values = {"n": i, "column": exc.column, "message": exc.message}
        if self.rows and exc.column:
            return gettext("Row %(n)s, %(column)s: %(message)s") % values
        if self.rows:
            return gettext("Row %(n)s: %(message)s") % values
        if exc.column:
            return gettext("Line %(n)s, %(column)s: %(message)s") % values
        return gettext("Line %(n)s: %(message)s") % values


def _parse_authorisation(line, user=None):
    kind, ref, day, renewal = parts(line, 4)
    if not ref:
        raise RowError(None, gettext("write 'kind | reference | date | renewal'"))
    return [
        {
            "kind": _choice(kind, AuthorisationKind.choices, "kind", ""),
            "reference": ref,
            "date": _date(day, "date"),
            "renewal": renewal.lower() in ("renewal", "yes"),
        }
    ]


def _parse_contribution(line, user=None):
    from concord.core import services

    who, day, troops, police, civilians = parts(line, 5)
    entry = {
        "date": _date(day, "date"),
        "troops": _int(troops, "troops"),
        "police": _int(police, "police"),
        "civilians": _int(civilians, "civilians"),
    }
    country = Country.objects.filter(alpha3=who).first() if len(who) == 3 else None
    org = None if country else services.resolve_organisation(who, user)
    if country is None and org is None:
        try:
            country = find_country(who, former=True)  # "Chad", "Tchad"
        except forms.ValidationError as exc:
            raise RowError(None, exc.messages[0]) from None
    if country:
        entry["contributor_state"] = country
    elif org is None:
        raise RowError(
            None,
            gettext("%(who)s is neither a country nor an organisation you may see")
            % {"who": repr(who)},
        )
    else:
        entry["contributor_organisation"] = org
    return [entry]


def _fmt_authorisations(op, user):
    if not getattr(op, "pk", None):
        return ""
    return "\n".join(format_authorisation(a) for a in op.authorisations.all())


def _fmt_contributions(op, user):
    if not getattr(op, "pk", None):
        return ""
    labels = VisibleLabels(user)
    return "\n".join(
        line for line in (format_contribution(c, labels) for c in op.contributions.all()) if line
    )


class OperationForm(ScopedForm):
    aliases = ListField(
        required=False, label=_("Aliases"), help_text=_("Other names, separated by ';'.")
    )
    framework_organisation = OrganisationRefField(
        label=_("Framework organisation"),
        help_text=_("UN and regional missions: the organisation that runs it (e.g. UN, AU, EU)."),
    )
    lead_organisation = OrganisationRefField(
        label=_("Lead organisation"), help_text=_("Optional: the lead organisation.")
    )
    lead_state = CountryRefField(
        required=False,
        former=True,
        label=_("Lead state"),
        help_text=_("The lead state: its name or ISO code (Kenya, KEN)."),
    )
    host_countries = CountryRefField(
        many=True,
        former=True,
        label=_("Host countries"),
        help_text=_("Names or ISO codes, ';' between them (Mali; Niger)."),
    )
    areas = AreaListField(
        required=False,
        label=_("Areas"),
        help_text=_("Areas of operation: names or codes, ';' (Mopti; ML-7)."),
    )
    start = forms.DateField(label=_("Start"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(
        required=False, label=_("End"), widget=forms.DateInput(attrs={"type": "date"})
    )
    sources = LinesField(
        parse=lambda line, user=None: parse_sources(line),
        fmt=lambda v: format_sources(v).replace("; ", "\n"),
        label=_("Sources"),
        help_text=_("One per line: fact | citation | link."),
    )
    authorisations = LinesField(
        parse=_parse_authorisation,
        widget=RowsWidget(
            [
                Column(_("Kind"), choices=AuthorisationKind.choices),
                Column(_("Reference"), placeholder=_("e.g. 2100 (the resolution)")),
                Column(_("Date"), "date"),
                Column(_("Renewal"), "checkbox", checked_value="renewal"),
            ]
        ),
        label=_("Authorisations"),
        help_text=_(
            "One row per decision that authorises it (a resolution, a council's "
            "communiqué), with its date; tick Renewal for a renewal."
        ),
    )
    contributions = LinesField(
        parse=_parse_contribution,
        widget=RowsWidget(
            [
                Column(_("Contributor"), placeholder=_("a country or an organisation")),
                Column(_("Date"), "date"),
                Column(_("Troops"), "number"),
                Column(_("Police"), "number"),
                Column(_("Civilians"), "number"),
            ]
        ),
        label=_("Contributions"),
        help_text=_(
            "Who contributes how many people, as of a date: a country (name or ISO "
            "code) or an organisation."
        ),
    )

    class Meta:
        model = Operation
        fields = [*Operation.FIELDS, *ScopedForm.SECURITY_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["areas"].user = self.user
        self.fields["areas"].widget.attrs["placeholder"] = gettext("e.g. ML-6; ML-7")
        for f in self.fields.values():
            if isinstance(f, LinesField):
                f.user = self.user
        if self.instance.pk:
            self.initial["authorisations"] = _fmt_authorisations(self.instance, self.user)
            self.initial["contributions"] = _fmt_contributions(self.instance, self.user)
            self.initial["lead_state"] = (
                self.instance.lead_state.alpha3 if self.instance.lead_state_id else ""
            )
            self.initial["host_countries"] = "; ".join(
                self.instance.host_countries.values_list("alpha3", flat=True)
            )
        self.order_fields([*Operation.FIELDS, "authorisations", "contributions"])

    def children(self):
        return set_children(
            self.cleaned_data.get("authorisations", []),
            self.cleaned_data.get("contributions", []),
        )


class OperationRefField(forms.CharField):
    """An operation typed by key, acronym or name, among those the user may see."""

    user = None

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", SuggestInput("operations"))
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, int) or hasattr(value, "pk"):
            op = Operation.objects.visible_to(self.user).filter(pk=getattr(value, "pk", value))
            op = op.first()
            return (op.key or op.acronym or op.name) if op else ""
        return value

    def clean(self, value):
        from .exchange import operation_ref

        if not self.required and not (value or "").strip():
            return None  # (a link to an operation the user may not see: kept by the service)
        value = (value or "").strip()
        visible = Operation.objects.visible_to(self.user)
        try:
            return operation_ref(value, visible, "operation")
        except RowError as exc:
            inner = code_in_brackets(value)  # "United Nations … (MINUSMA)", as suggested
            if not inner:
                raise forms.ValidationError(exc.message) from None
        try:
            return operation_ref(inner, visible, "operation")
        except RowError as exc:
            raise forms.ValidationError(exc.message) from None


class OptionalOperationField(OperationRefField):
    """An operation reference that may be left empty."""

    def clean(self, value):
        return super().clean(value) if (value or "").strip() else None


class RelationForm(ScopedForm):
    source = OperationRefField(
        label=_("Source"), help_text=_("Key, acronym or name, e.g. 'INTERFET'.")
    )
    target = OperationRefField(
        label=_("Target"), help_text=_("Key, acronym or name, e.g. 'UNTAET'.")
    )
    start = forms.DateField(
        required=False, label=_("Start"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        required=False, label=_("End"), widget=forms.DateInput(attrs={"type": "date"})
    )
    sources = LinesField(
        parse=lambda line, user=None: parse_sources(line),
        fmt=lambda v: format_sources(v).replace("; ", "\n"),
        label=_("Sources"),
        help_text=_("One per line: fact | citation | link."),
    )

    class Meta:
        model = Relation
        fields = [*Relation.FIELDS, *ScopedForm.SECURITY_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].user = self.fields["target"].user = self.user


class OverrideForm(forms.Form):
    scenario = forms.ChoiceField(
        label=_("Scenario"),
        choices=[("", _("— use the derived scenario —")), *Scenario.choices],
        required=False,
    )
    justification = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label=_("Justification"),
        help_text=_("Required when you set a scenario: why the derived one is wrong."),
    )
