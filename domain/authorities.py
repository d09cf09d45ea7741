"""The regional authority of each region: who a ministry's announcement letter is addressed to.

The names are a generic form, «Правительство» and the region's name in the genitive, built from
`domain.regions`. They are not the official name of each body: in some regions the highest
executive body is a Cabinet of Ministers or an Administration. No e-mail addresses ship with the
project; a mailer finds an authority's address by its region code.
"""

from __future__ import annotations

from domain.regions import REGIONS, Region

# The genitive of the nouns that occur in the regions' names; adjectives follow the rules below.
_NOUNS = {
    "область": "области", "край": "края", "Республика": "Республики", "округ": "округа",
    "Москва": "Москвы", "Санкт-Петербург": "Санкт-Петербурга", "Севастополь": "Севастополя",
    "Кузбасс": "Кузбасса", "Югра": "Югры", "Чувашия": "Чувашии",
}


def _word_genitive(word: str) -> str:
    if word in _NOUNS:
        return _NOUNS[word]
    if word.endswith("ая"):
        return word[:-2] + "ой"
    if word.endswith(("ий", "ый")):
        return word[:-2] + "ого"
    return word


def genitive(name: str) -> str:
    """«Кемеровская область — Кузбасс» → «Кемеровской области — Кузбасса».

    A name that starts with «Республика» declines that word only: the name after it is an
    apposition («Республики Северная Осетия — Алания»).
    """
    first, _, rest = name.partition(" ")
    if first == "Республика":
        return f"{_NOUNS[first]} {rest}"
    return " ".join(w if w == "—" else _word_genitive(w) for w in name.split(" "))


def authority_name(region: Region) -> str:
    return f"Правительство {genitive(region.name)}"


REGIONAL_AUTHORITIES: dict[str, str] = {region.code: authority_name(region) for region in REGIONS}
