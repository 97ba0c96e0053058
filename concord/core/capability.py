"""What core brings to Concord (see concord.core.capabilities): the registry of
organisations, people, areas and countries, coordination spaces, the audit trail, API tokens."""

from concord.core.capabilities import Capability, Hook, NavEntry, Route, Searchable

_S = "concord.core.search"

CAPABILITY = Capability(
    label="core",
    title="Registry",
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
        NavEntry("Registry", "Organisations", "core:organisation_list"),
        NavEntry("Registry", "People", "core:person_list"),
        NavEntry("Registry", "Areas", "core:area_list"),
        NavEntry("Registry", "Countries", "core:country_list"),
        NavEntry("Platform", "Spaces", "core:space_list", signed_in_only=True),
        NavEntry("Platform", "Audit trail", "core:audit_list", signed_in_only=True),
        NavEntry("Platform", "API tokens", "core:token_list", signed_in_only=True),
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
            "Countries",
            title="name",
            text=("official_name",),
            codes=("alpha3", "alpha2"),
            extra=f"{_S}.country_words",
            describe=f"{_S}.describe_country",
        ),
        Searchable(
            "core.Area",
            "Areas",
            title="name",
            text=("country.name",),
            codes=("pcode", "iso_code"),
            describe=f"{_S}.describe_area",
        ),
        Searchable(
            "core.Organisation",
            "Organisations",
            title="name",
            text=("aliases",),
            codes=("acronym",),
            describe=f"{_S}.describe_organisation",
        ),
        Searchable("core.Person", "People", title="name"),
    ),
)
