"""What core brings to Concord (see concord.core.capabilities): the registry of
organisations, people, areas and countries, coordination spaces, the audit trail, API tokens."""

from django.utils.translation import gettext_lazy as _

from concord.core.capabilities import Capability, Hook, NavEntry, Route, Searchable

_S = "concord.core.search"

CAPABILITY = Capability(
    label="core",  # untranslated: the capability's code
    title=_("Registry"),
    urls="concord.core.urls",
    api=(
        Route("organisations", "concord.core.api.OrganisationViewSet", "organisation"),
        Route("people", "concord.core.api.PersonViewSet", "person"),
        Route("areas", "concord.core.api.AreaViewSet", "area"),
        Route("countries", "concord.core.api.CountryViewSet", "country"),
        Route("spaces", "concord.core.api.SpaceViewSet", "space"),
        Route("tokens", "concord.core.api.TokenViewSet", "token"),
    ),
    import_kinds="concord.core.exchange.KINDS",
    navigation=(
        NavEntry(_("Registry"), _("Organisations"), "core:organisation_list"),
        NavEntry(_("Registry"), _("People"), "core:person_list"),
        NavEntry(_("Registry"), _("Areas"), "core:area_list"),
        NavEntry(_("Registry"), _("Countries"), "core:country_list"),
        NavEntry(_("Platform"), _("Spaces"), "core:space_list", signed_in_only=True),
        NavEntry(_("Platform"), _("Audit trail"), "core:audit_list", signed_in_only=True),
        NavEntry(_("Platform"), _("API tokens"), "core:token_list", signed_in_only=True),
    ),
    hooks=(
        Hook("core.Organisation", "after_save", "concord.core.services.index_organisation_names"),
    ),
    seed_reference="concord.core.fixtures.reference.reference",
    seed_demo="concord.core.fixtures.demo.demo",
    test_world="concord.core.fixtures.testworld",
    search=(
        Searchable(
            "core.Country",
            _("Countries"),
            title="name",  # untranslated: a field name
            text=("official_name",),
            codes=("alpha3", "alpha2"),
            extra=f"{_S}.country_words",
            describe=f"{_S}.describe_country",
        ),
        Searchable(
            "core.Area",
            _("Areas"),
            title="name",  # untranslated: a field name
            text=("country.name",),
            codes=("pcode", "iso_code"),
            describe=f"{_S}.describe_area",
        ),
        Searchable(
            "core.Organisation",
            _("Organisations"),
            title="name",  # untranslated: a field name
            text=("aliases",),
            codes=("acronym",),
            describe=f"{_S}.describe_organisation",
        ),
        Searchable(
            "core.Person",
            _("People"),
            title="name",  # untranslated: a field name
        ),
    ),
)
