"""UN M49 regions and sub-regions by ISO 3166-1 alpha-3 code.

Source: United Nations Statistics Division, "Standard country or area codes for statistical
use (M49)", https://unstats.un.org/unsd/methodology/m49/ (overview table, region and
sub-region columns). Antarctica and Taiwan have no M49 region of their own and stay blank.
Former states (ISO 3166-3) take the sub-region of the territory they covered, so historical
operations (e.g. in Zaire or Yugoslavia) still count in the right region.
"""

M49: dict[tuple[str, str], str] = {
    ("Africa", "Northern Africa"): "DZA EGY LBY MAR SDN TUN ESH",
    ("Africa", "Eastern Africa"): (
        "IOT BDI COM DJI ERI ETH ATF KEN MDG MWI MUS MYT MOZ REU RWA SYC SOM SSD UGA TZA ZMB ZWE"
    ),
    ("Africa", "Middle Africa"): "AGO CMR CAF TCD COG COD GNQ GAB STP",
    ("Africa", "Southern Africa"): "BWA SWZ LSO NAM ZAF",
    ("Africa", "Western Africa"): (
        "BEN BFA CPV CIV GMB GHA GIN GNB LBR MLI MRT NER NGA SHN SEN SLE TGO"
    ),
    ("Americas", "Caribbean"): (
        "AIA ATG ABW BHS BRB BES VGB CYM CUB CUW DMA DOM GRD GLP HTI JAM MTQ MSR PRI BLM KNA LCA "
        "MAF VCT SXM TTO TCA VIR"
    ),
    ("Americas", "Central America"): "BLZ CRI SLV GTM HND MEX NIC PAN",
    (
        "Americas",
        "South America",
    ): "ARG BOL BVT BRA CHL COL ECU FLK GUF GUY PRY PER SGS SUR URY VEN",
    ("Americas", "Northern America"): "BMU CAN GRL SPM USA",
    ("Asia", "Central Asia"): "KAZ KGZ TJK TKM UZB",
    ("Asia", "Eastern Asia"): "CHN HKG MAC PRK JPN MNG KOR",
    ("Asia", "South-eastern Asia"): "BRN KHM IDN LAO MYS MMR PHL SGP THA TLS VNM",
    ("Asia", "Southern Asia"): "AFG BGD BTN IND IRN MDV NPL PAK LKA",
    ("Asia", "Western Asia"): (
        "ARM AZE BHR CYP GEO IRQ ISR JOR KWT LBN OMN QAT SAU PSE SYR TUR ARE YEM"
    ),
    ("Europe", "Eastern Europe"): "BLR BGR CZE HUN POL MDA ROU RUS SVK UKR",
    (
        "Europe",
        "Northern Europe",
    ): "ALA DNK EST FRO FIN GGY ISL IRL IMN JEY LVA LTU NOR SJM SWE GBR",
    (
        "Europe",
        "Southern Europe",
    ): "ALB AND BIH HRV GIB GRC VAT ITA MLT MNE MKD PRT SMR SRB SVN ESP",
    ("Europe", "Western Europe"): "AUT BEL FRA DEU LIE LUX MCO NLD CHE",
    ("Oceania", "Australia and New Zealand"): "AUS CXR CCK HMD NZL NFK",
    ("Oceania", "Melanesia"): "FJI NCL PNG SLB VUT",
    ("Oceania", "Micronesia"): "GUM KIR MHL FSM NRU MNP PLW UMI",
    ("Oceania", "Polynesia"): "ASM COK PYF NIU PCN WSM TKL TON TUV WLF",
}

# ISO 3166-3 former states -> the sub-region of the territory they covered.
FORMER = {
    "YUG": ("Europe", "Southern Europe"),
    "SCG": ("Europe", "Southern Europe"),
    "SUN": ("Europe", "Eastern Europe"),
    "CSK": ("Europe", "Eastern Europe"),
    "DDR": ("Europe", "Western Europe"),
    "ZAR": ("Africa", "Middle Africa"),
    "DHY": ("Africa", "Western Africa"),
    "HVO": ("Africa", "Western Africa"),
    "RHO": ("Africa", "Eastern Africa"),
    "TMP": ("Asia", "South-eastern Asia"),
    "BUR": ("Asia", "South-eastern Asia"),
    "VDR": ("Asia", "South-eastern Asia"),
    "YMD": ("Asia", "Western Asia"),
    "ANT": ("Americas", "Caribbean"),
    "PCZ": ("Americas", "Central America"),
}


def region_of(alpha3: str) -> tuple[str, str]:
    for (region, subregion), codes in M49.items():
        if alpha3 in codes.split():
            return region, subregion
    return FORMER.get(alpha3, ("", ""))
