"""Forms for registry records. Every choice list goes through the enforcement point."""

from __future__ import annotations

import json

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from .models import (
    Affiliation,
    Area,
    Country,
    Organisation,
    Person,
    Role,
    ScopedModel,
    Space,
    named_user_choices,
)
from .models.registry import ContactKind
from .models.security import SECURITY_LABELS
from .widgets import Column as Column  # other capabilities' forms import it from here
from .widgets import RowsWidget as RowsWidget
from .widgets import SuggestInput


class ListField(forms.CharField):
    """A list of short strings typed as "a; b; c"."""

    def prepare_value(self, value):
        if isinstance(value, list):
            return "; ".join(value)
        return value

    def to_python(self, value):
        return [v.strip() for v in (value or "").split(";") if v.strip()]


class ContactsField(forms.CharField):
    """One channel per line, "kind: value" (e.g. "phone: +223 20 22 00 00")."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(f"{c.get('kind')}: {c.get('value')}" for c in value)
        return value

    def to_python(self, value):
        out = []
        for i, line in enumerate((value or "").splitlines(), start=1):
            if not line.strip():
                continue
            kind, _, val = line.partition(":")
            kind = kind.strip().lower()
            if kind not in ContactKind.values or not val.strip():
                raise forms.ValidationError(
                    _("Line %(number)s: write 'kind: value' with kind one of %(kinds)s.")
                    % {"number": i, "kinds": ", ".join(ContactKind.values)}
                )
            out.append({"kind": kind, "value": val.strip()})
        return out


class GeometryField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        if isinstance(value, dict):
            return json.dumps(value)
        return value

    def to_python(self, value):
        if not value or not value.strip():
            return None
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                _("Not valid JSON: %(error)s (line %(line)s).")
                % {"error": exc.msg, "line": exc.lineno}
            ) from exc


def _parts(value: str) -> list[str]:
    return [v.strip() for v in (value or "").split(";") if v.strip()]


# "Give one …": a whole sentence per noun a reference field takes (see one_or_many).
GIVE_ONE = {
    "country": gettext_lazy("Give one country."),
    "organisation": gettext_lazy("Give one organisation."),
    "area": gettext_lazy("Give one area."),
    "task": gettext_lazy("Give one task."),
    "operation": gettext_lazy("Give one operation."),
    "person": gettext_lazy("Give one person."),
}


def one_or_many(found: list, many: bool, noun: str):
    """What a reference field returns: the list (``many``), or its one record (None if
    none); two where one is wanted is refused (``noun``: a key of ``GIVE_ONE``)."""
    if many:
        return found
    if len(found) > 1:
        raise forms.ValidationError(str(GIVE_ONE.get(noun) or _("Give only one.")))
    return found[0] if found else None


def code_in_brackets(value: str) -> str:
    """'Mali (MLI)' -> 'MLI', as a suggestion reads; '' when there is none."""
    value = value.strip()
    if value.endswith(")") and "(" in value:
        return value[value.rindex("(") + 1 : -1].strip()
    return ""


def find_country(value: str, *, former: bool = False) -> Country | None:
    """The country an editor means: ISO alpha-3 or alpha-2 code, or its name in English or
    French, capitals, accents and punctuation aside ("Kenya", "haiti", "Côte d'Ivoire",
    "Allemagne", "Mali (MLI)", "Falkland Islands (Malvinas)"). Current countries only, unless
    ``former`` (a date before their end may call for Dahomey or the GDR); an ambiguous name
    is refused."""
    value = (value or "").strip()
    if not value:
        return None
    found = _find_country(value, former)
    inner = code_in_brackets(value)  # "Mali (MLI)", as a suggestion reads
    return found if found is not None or not inner else _find_country(inner, former)


def _find_country(value: str, former: bool) -> Country | None:
    from .locales import country_name
    from .models.registry import normalise_name

    countries = Country.objects.all() if former else Country.objects.filter(historical=False)
    code = value.upper()
    found = countries.filter(alpha3=code).first() or (
        countries.filter(alpha2=code).first() if len(code) == 2 else None
    )
    if found is not None:
        return found
    key = normalise_name(value)
    matches = [
        c
        for c in countries
        if key
        in {
            normalise_name(c.name),
            normalise_name(c.official_name),
            normalise_name(country_name(c.alpha3, c.name, "fr")),
        }
    ]
    if len(matches) > 1:
        names = ", ".join(f"{c.name} ({c.alpha3})" for c in matches)
        raise forms.ValidationError(
            _("%(value)r may be %(names)s: give the ISO code.") % {"value": value, "names": names}
        )
    return matches[0] if matches else None


def shown_codes(value, queryset, code_field: str) -> str:
    """How a reference field shows what it holds: its records' codes, ';' between them,
    read from ``queryset`` (what the editor may see); text as typed stays as it is."""
    if value in (None, "", []):
        return ""
    if isinstance(value, str):
        return value
    items = list(value.all()) if hasattr(value, "all") else value
    items = items if isinstance(items, list | tuple) else [items]
    ids = [getattr(x, "pk", x) for x in items]
    codes = dict(queryset.filter(pk__in=ids).values_list("pk", code_field))
    return "; ".join(codes[i] for i in ids if i in codes)


class CountryRefField(forms.CharField):
    """Countries typed by name (English or French) or ISO code, ';' between several; shown
    back as ISO alpha-3 codes. Current countries only unless ``former``."""

    def __init__(self, *args, many=False, former=False, **kwargs):
        self.many, self.former = many, former
        kwargs.setdefault("widget", SuggestInput("countries"))
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        return shown_codes(value, Country.objects.all(), "alpha3")

    def clean(self, value):
        names = _parts(value)
        if self.required and not names:
            raise forms.ValidationError(
                _("Give a country: its name or ISO code, e.g. Mali or MLI.")
            )
        found = []
        for name in names:
            country = find_country(name, former=self.former)
            if country is None:
                raise forms.ValidationError(
                    _("No country called %(name)r: give its name or ISO code (Mali, MLI).")
                    % {"name": name}
                )
            found.append(country)
        return one_or_many(found, self.many, "country")


class OrganisationRefField(forms.CharField):
    """Organisations typed by acronym, name or alias ("AU; EEAS"), resolved among those the
    user may see. Scales where a <select> of every organisation would not."""

    def __init__(self, *args, many=False, **kwargs):
        self.many = many
        self.user = None
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", SuggestInput("organisations"))
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        from .visibility import VisibleLabels

        if value in (None, "", []):
            return ""
        if isinstance(value, str):
            return value
        values = value if isinstance(value, list | tuple) else [value]
        labels = VisibleLabels(self.user)
        out = []
        for v in values:
            org = labels.get(Organisation, getattr(v, "pk", v))
            if org is not None:
                out.append(org.acronym or org.name)
        return "; ".join(out)

    def clean(self, value):
        from . import services

        found = []
        for name in _parts(value):
            if name.lstrip("#").isdigit():  # an id, as "matches more than one" asks for
                org = Organisation.objects.visible_to(self.user).filter(pk=int(name.lstrip("#")))
                if not org.exists():
                    raise forms.ValidationError(
                        _("No organisation with id %(id)s that you may see.") % {"id": name}
                    )
                found.append(org.get())
                continue
            try:
                org = services.resolve_organisation(name, self.user)
                inner = code_in_brackets(name)  # "African Union (AU)", as suggested
                if org is None and inner:
                    org = services.resolve_organisation(inner, self.user)
            except forms.ValidationError as exc:
                raise forms.ValidationError(exc.messages) from exc
            if org is None:
                raise forms.ValidationError(
                    _("No organisation called %(name)r that you may see.") % {"name": name}
                )
            found.append(org)
        return one_or_many(found, self.many, "organisation")


def area_key(area: Area) -> str:
    """How a form names an area: its P-code or ISO code, else its name (an area created
    without a code must survive a form being saved unchanged)."""
    return area.pcode or area.iso_code or area.name


def find_area(value: str, user, country: Country | None = None):
    """The area the user may see with that P-code, ISO 3166-2 code or (unique) name, the name
    matched as the 3W import matches it (capitals, accents and punctuation aside: "Segou"
    is Ségou), within ``country`` when the form names one."""
    from .models.registry import normalise_name

    inner = code_in_brackets(value)  # "Mopti (ML-5)", as suggested
    qs = Area.objects.visible_to(user)
    if inner:
        area = qs.filter(pcode=inner).first() or qs.filter(iso_code__iexact=inner).first()
        if area is not None:
            return area
    area = qs.filter(pcode=value).first() or qs.filter(iso_code__iexact=value).first()
    if area is not None:
        return area
    if country is not None:
        qs = qs.filter(country=country)
    named = list(qs.filter(name__iexact=value)[:2])
    if not named and country is not None:
        key = normalise_name(value)
        named = [a for a in qs.only("pk", "name") if normalise_name(a.name) == key][:2]
    if len(named) > 1:
        raise forms.ValidationError(
            _("%(value)r names more than one area; give its P-code.") % {"value": value}
        )
    return named[0] if named else None


class AreaRefField(forms.CharField):
    """An area typed by P-code, ISO 3166-2 code or name, among those the user may see; by
    name within the country the form names (``country_field``), when it names one."""

    def __init__(self, *args, country_field: str = "", **kwargs):
        self.user = None
        self.country = None  # set by the form once its country field is clean
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", SuggestInput("areas", within=country_field))
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if value in (None, ""):
            return ""
        if isinstance(value, str):
            return value
        area = Area.objects.visible_to(self.user).filter(pk=getattr(value, "pk", value)).first()
        return area_key(area) if area else ""

    def clean(self, value):
        code = (value or "").strip()
        if not code:
            return None
        area = find_area(code, self.user, self.country)
        if area is None:
            raise forms.ValidationError(
                _("No area with P-code, ISO code or name %(code)r that you may see.")
                % {"code": code}
            )
        return area


def place_areas_in_country(form) -> None:
    """Areas are matched by name within the country the form names (its raw value, a name or
    a code): "Mopti" in Mali, not a Mopti elsewhere."""
    for f in form.fields.values():
        within = getattr(f.widget, "within", "")
        if not (within and form.is_bound and isinstance(f, AreaRefField)):
            continue
        try:
            f.country = find_country(form.data.get(within, ""), former=True)
        except forms.ValidationError:
            f.country = None


class ScopedForm(forms.ModelForm):
    """Owner, classification and releasability, with choices limited to what the user may use."""

    SECURITY_FIELDS = ScopedModel.SECURITY_FIELDS

    shared_organisations = OrganisationRefField(
        many=True,
        label=gettext_lazy("Shared organisations"),
        help_text=gettext_lazy(
            "Released to these organisations: acronyms or names separated by ';'."
        ),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for f in self.fields.values():  # reference fields resolve among what user may see
            if isinstance(f, OrganisationRefField | AreaRefField) or hasattr(f, "user"):
                f.user = user
        place_areas_in_country(self)
        principal = user.principal()
        owners = Organisation.objects.filter(pk__in=principal.orgs_with_role(Role.CONTRIBUTOR))
        self.fields["owner"].queryset = owners
        if not self.instance.pk and owners.count() == 1:
            self.initial["owner"] = owners.first().pk
        self.fields["shared_spaces"].queryset = Space.objects.visible_to(user)
        # Exactly the people the editor may name; others already named are neither shown nor
        # removed (the service keeps them: services.keep_hidden_links).
        self.fields["named_users"].queryset = named_user_choices(user)
        self.fields["named_users"].label_from_instance = lambda u: u.get_username()
        for name in ("shared_spaces", "named_users"):
            self.fields[name].widget.attrs["size"] = 4
        for name, label in SECURITY_LABELS.items():
            if name in self.fields:
                self.fields[name].label = label
        self._mark_hidden_links()

    def _mark_hidden_links(self) -> None:
        """A link to a record the user may not see is not shown, and saving keeps it
        (``services.keep_hidden_links``): its field may be left empty, and says so."""
        from django.core.exceptions import FieldDoesNotExist

        if not self.instance.pk:
            return
        for name, f in self.fields.items():
            try:
                mf = self._meta.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if not (mf.is_relation and mf.many_to_one) or name in ScopedModel.SECURITY_FIELDS:
                continue
            pk = getattr(self.instance, mf.attname, None)
            if pk is None or not issubclass(mf.related_model, ScopedModel):
                continue
            if mf.related_model.objects.visible_to(self.user).filter(pk=pk).exists():
                continue
            kept = _("(restricted: kept unless you name another)")
            f.required = False
            if isinstance(f, forms.ModelChoiceField):
                f.empty_label = kept
            else:
                f.widget.attrs["placeholder"] = kept

    def m2m_data(self) -> dict:
        return {
            f.name: list(self.cleaned_data[f.name])
            for f in self._meta.model._meta.many_to_many
            if f.name in self.cleaned_data
        }

    def _post_clean(self):
        # Model validation happens in the service (one place); here only field parsing.
        try:
            self.instance = forms.models.construct_instance(self, self.instance, self._meta.fields)
        except forms.ValidationError as exc:  # pragma: no cover - defensive
            self._update_errors(exc)


class OrganisationForm(ScopedForm):
    parent = OrganisationRefField(
        label=pgettext_lazy("registry", "Parent"),
        help_text=gettext_lazy("The parent organisation's acronym or name."),
    )
    country = CountryRefField(
        required=False,
        label=gettext_lazy("Country"),
        help_text=gettext_lazy("Where it is based: its name or ISO code, e.g. Kenya or KEN."),
    )
    aliases = ListField(
        required=False,
        label=gettext_lazy("Aliases"),
        help_text=gettext_lazy("Other names and acronyms, separated by ';'."),
    )

    class Meta:
        model = Organisation
        fields = [*Organisation.FIELDS, *ScopedForm.SECURITY_FIELDS]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        # A platform administrator adds organisations that own their own entry, and edits
        # only those (concord.core.access.platform_registry_entry): no owner to choose.
        instance = self.instance
        if not user.is_superuser:
            return
        if instance.pk is None:
            # Its own owner, unless the administrator picks one of their organisations.
            owner = self.fields["owner"]
            owner.required = False
            owner.empty_label = _("The organisation itself (it takes part in the platform)")
            owner.help_text = _("Leave it to the organisation itself unless your own records it.")
            self.initial["owner"] = None
            self.initial["classification"] = 0
            self.initial["releasability"] = "public"
        elif instance.owner_id == instance.pk:  # it stays its own owner
            del self.fields["owner"]
            if not Organisation.objects.editable_by(user).filter(pk=instance.pk).exists():
                # Its description only: who may read it stays its managers' decision.
                for name in ScopedForm.SECURITY_FIELDS:
                    self.fields.pop(name, None)


class PersonForm(ScopedForm):
    languages = ListField(
        required=False,
        label=gettext_lazy("Languages"),
        help_text=gettext_lazy("ISO 639 codes separated by ';', e.g. fr; ar"),
    )
    contacts = ContactsField(
        required=False,
        label=gettext_lazy("Contacts"),
        help_text=gettext_lazy("One per line: kind: value"),
    )

    class Meta:
        model = Person
        fields = ["name", "languages", "contacts", "notes", *ScopedForm.SECURITY_FIELDS]


class AffiliationForm(forms.ModelForm):
    class Meta:
        model = Affiliation
        fields = ["organisation", "title", "start", "end"]
        widgets = {
            "start": forms.DateInput(attrs={"type": "date"}),
            "end": forms.DateInput(attrs={"type": "date"}),
        }


AffiliationFormSet = inlineformset_factory(
    Person, Affiliation, form=AffiliationForm, extra=1, can_delete=True
)


class AreaForm(ScopedForm):
    parent = AreaRefField(
        label=pgettext_lazy("registry", "Parent"),
        help_text=gettext_lazy("The parent area's P-code or ISO 3166-2 code (e.g. ML-5)."),
    )
    geometry = GeometryField(
        required=False,
        label=gettext_lazy("Geometry"),
        help_text=gettext_lazy("Optional GeoJSON geometry."),
    )

    class Meta:
        model = Area
        fields = [*Area.FIELDS, *ScopedForm.SECURITY_FIELDS]


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("CSV, JSON or XLSX with the same columns as the export."),
    )


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        label=gettext_lazy("Name"),
        help_text=gettext_lazy("What will use it, e.g. 'OCHA 3W sync'."),
    )
    read_only = forms.BooleanField(required=False, initial=True, label=gettext_lazy("Read only"))
