"""UN M49 regions and sub-regions by ISO 3166-1 alpha-3 code.

Source: United Nations Statistics Division, "Standard country or area codes for statistical
use (M49)", https://unstats.un.org/unsd/methodology/m49/ (overview table, region and
sub-region columns). Antarctica and Taiwan have no M49 region of their own and stay blank.
Former states (ISO 3166-3) take the sub-region of the territory they covered, so historical
operations (e.g. in Zaire or Yugoslavia) still count in the right region.
"""

M49: dict[tuple[str, str], str] = {
    ("Africa", "Northern Africa"): "DZA EGY LBY MAR SDN TUN ESH",  # untranslated: codes
    ("Africa", "Eastern Africa"): (
        "IOT BDI COM DJI ERI ETH ATF KEN MDG MWI MUS MYT MOZ REU "  # untranslated: codes
        "RWA SYC SOM SSD UGA TZA ZMB ZWE"
    ),
    ("Africa", "Middle Africa"): "AGO CMR CAF TCD COG COD GNQ GAB STP",  # untranslated: codes
    ("Africa", "Southern Africa"): "BWA SWZ LSO NAM ZAF",  # untranslated: codes
    ("Africa", "Western Africa"): (
        "BEN BFA CPV CIV GMB GHA GIN GNB LBR MLI MRT NER NGA SHN SEN SLE TGO"  # untranslated: codes
    ),
    ("Americas", "Caribbean"): (
        "AIA ATG ABW BHS BRB BES VGB CYM CUB CUW DMA DOM GRD GLP HTI "  # untranslated: codes
        "JAM MTQ MSR PRI BLM KNA LCA MAF VCT SXM TTO TCA VIR"
    ),
    ("Americas", "Central America"): "BLZ CRI SLV GTM HND MEX NIC PAN",  # untranslated: codes
    (
        "Americas",
        "South America",
    ): "ARG BOL BVT BRA CHL COL ECU FLK GUF GUY PRY PER SGS SUR URY VEN",  # untranslated: codes
    ("Americas", "Northern America"): "BMU CAN GRL SPM USA",  # untranslated: codes
    ("Asia", "Central Asia"): "KAZ KGZ TJK TKM UZB",  # untranslated: codes
    ("Asia", "Eastern Asia"): "CHN HKG MAC PRK JPN MNG KOR",  # untranslated: codes
    ("Asia", "South-eastern Asia"): (
        "BRN KHM IDN LAO MYS MMR PHL SGP THA TLS VNM"  # untranslated: codes
    ),
    ("Asia", "Southern Asia"): "AFG BGD BTN IND IRN MDV NPL PAK LKA",  # untranslated: codes
    ("Asia", "Western Asia"): (
        "ARM AZE BHR CYP GEO IRQ ISR JOR KWT LBN OMN QAT SAU "  # untranslated: codes
        "PSE SYR TUR ARE YEM"
    ),
    ("Europe", "Eastern Europe"): "BLR BGR CZE HUN POL MDA ROU RUS SVK UKR",  # untranslated: codes
    (
        "Europe",
        "Northern Europe",
    ): "ALA DNK EST FRO FIN GGY ISL IRL IMN JEY LVA LTU NOR SJM SWE GBR",  # untranslated: codes
    (
        "Europe",
        "Southern Europe",
    ): "ALB AND BIH HRV GIB GRC VAT ITA MLT MNE MKD PRT SMR SRB SVN ESP",  # untranslated: codes
    ("Europe", "Western Europe"): "AUT BEL FRA DEU LIE LUX MCO NLD CHE",  # untranslated: codes
    ("Oceania", "Australia and New Zealand"): "AUS CXR CCK HMD NZL NFK",  # untranslated: codes
    ("Oceania", "Melanesia"): "FJI NCL PNG SLB VUT",  # untranslated: codes
    ("Oceania", "Micronesia"): "GUM KIR MHL FSM NRU MNP PLW UMI",  # untranslated: codes
    ("Oceania", "Polynesia"): "ASM COK PYF NIU PCN WSM TKL TON TUV WLF",  # untranslated: codes
}

# ISO 3166-3 former states -> the sub-region of the territory they covered.
FORMER = {
    "YUG": ("Europe", "Southern Europe"),  # untranslated: codes
    "SCG": ("Europe", "Southern Europe"),  # untranslated: codes
    "SUN": ("Europe", "Eastern Europe"),  # untranslated: codes
    "CSK": ("Europe", "Eastern Europe"),  # untranslated: codes
    "DDR": ("Europe", "Western Europe"),  # untranslated: codes
    "ZAR": ("Africa", "Middle Africa"),  # untranslated: codes
    "DHY": ("Africa", "Western Africa"),  # untranslated: codes
    "HVO": ("Africa", "Western Africa"),  # untranslated: codes
    "RHO": ("Africa", "Eastern Africa"),  # untranslated: codes
    "TMP": ("Asia", "South-eastern Asia"),  # untranslated: codes
    "BUR": ("Asia", "South-eastern Asia"),  # untranslated: codes
    "VDR": ("Asia", "South-eastern Asia"),  # untranslated: codes
    "YMD": ("Asia", "Western Asia"),  # untranslated: codes
    "ANT": ("Americas", "Caribbean"),
    "PCZ": ("Americas", "Central America"),  # untranslated: codes
}


def region_of(alpha3: str) -> tuple[str, str]:
    for (region, subregion), codes in M49.items():
        if alpha3 in codes.split():
            return region, subregion
    return FORMER.get(alpha3, ("", ""))
