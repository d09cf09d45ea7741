"""The 89 subjects of the Russian Federation, keyed by their two-digit code."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field


class Region(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    name: str


_DATA = """
01 Республика Адыгея
02 Республика Башкортостан
03 Республика Бурятия
04 Республика Алтай
05 Республика Дагестан
06 Республика Ингушетия
07 Кабардино-Балкарская Республика
08 Республика Калмыкия
09 Карачаево-Черкесская Республика
10 Республика Карелия
11 Республика Коми
12 Республика Марий Эл
13 Республика Мордовия
14 Республика Саха (Якутия)
15 Республика Северная Осетия — Алания
16 Республика Татарстан
17 Республика Тыва
18 Удмуртская Республика
19 Республика Хакасия
20 Чеченская Республика
21 Чувашская Республика — Чувашия
22 Алтайский край
23 Краснодарский край
24 Красноярский край
25 Приморский край
26 Ставропольский край
27 Хабаровский край
28 Амурская область
29 Архангельская область
30 Астраханская область
31 Белгородская область
32 Брянская область
33 Владимирская область
34 Волгоградская область
35 Вологодская область
36 Воронежская область
37 Ивановская область
38 Иркутская область
39 Калининградская область
40 Калужская область
41 Камчатский край
42 Кемеровская область — Кузбасс
43 Кировская область
44 Костромская область
45 Курганская область
46 Курская область
47 Ленинградская область
48 Липецкая область
49 Магаданская область
50 Московская область
51 Мурманская область
52 Нижегородская область
53 Новгородская область
54 Новосибирская область
55 Омская область
56 Оренбургская область
57 Орловская область
58 Пензенская область
59 Пермский край
60 Псковская область
61 Ростовская область
62 Рязанская область
63 Самарская область
64 Саратовская область
65 Сахалинская область
66 Свердловская область
67 Смоленская область
68 Тамбовская область
69 Тверская область
70 Томская область
71 Тульская область
72 Тюменская область
73 Ульяновская область
74 Челябинская область
75 Забайкальский край
76 Ярославская область
77 Москва
78 Санкт-Петербург
79 Еврейская автономная область
83 Ненецкий автономный округ
86 Ханты-Мансийский автономный округ — Югра
87 Чукотский автономный округ
89 Ямало-Ненецкий автономный округ
90 Запорожская область
91 Республика Крым
92 Севастополь
93 Донецкая Народная Республика
94 Луганская Народная Республика
95 Херсонская область
"""

REGIONS: tuple[Region, ...] = tuple(
    Region(code=code, name=name)
    for code, name in sorted(line.split(" ", 1) for line in _DATA.strip().splitlines())
)
REGION_CODES: frozenset[str] = frozenset(region.code for region in REGIONS)
_BY_CODE = {region.code: region for region in REGIONS}


# Each subject's IANA zone; a subject spanning several zones (Якутия) takes its capital's.
_TIMEZONES: dict[str, str] = {
    "01": "Europe/Moscow", "02": "Asia/Yekaterinburg", "03": "Asia/Irkutsk", "04": "Asia/Barnaul",
    "05": "Europe/Moscow", "06": "Europe/Moscow", "07": "Europe/Moscow", "08": "Europe/Moscow",
    "09": "Europe/Moscow", "10": "Europe/Moscow", "11": "Europe/Moscow", "12": "Europe/Moscow",
    "13": "Europe/Moscow", "14": "Asia/Yakutsk", "15": "Europe/Moscow", "16": "Europe/Moscow",
    "17": "Asia/Krasnoyarsk", "18": "Europe/Samara", "19": "Asia/Krasnoyarsk", "20": "Europe/Moscow",
    "21": "Europe/Moscow", "22": "Asia/Barnaul", "23": "Europe/Moscow", "24": "Asia/Krasnoyarsk",
    "25": "Asia/Vladivostok", "26": "Europe/Moscow", "27": "Asia/Vladivostok", "28": "Asia/Yakutsk",
    "29": "Europe/Moscow", "30": "Europe/Astrakhan", "31": "Europe/Moscow", "32": "Europe/Moscow",
    "33": "Europe/Moscow", "34": "Europe/Volgograd", "35": "Europe/Moscow", "36": "Europe/Moscow",
    "37": "Europe/Moscow", "38": "Asia/Irkutsk", "39": "Europe/Kaliningrad", "40": "Europe/Moscow",
    "41": "Asia/Kamchatka", "42": "Asia/Novokuznetsk", "43": "Europe/Kirov", "44": "Europe/Moscow",
    "45": "Asia/Yekaterinburg", "46": "Europe/Moscow", "47": "Europe/Moscow", "48": "Europe/Moscow",
    "49": "Asia/Magadan", "50": "Europe/Moscow", "51": "Europe/Moscow", "52": "Europe/Moscow",
    "53": "Europe/Moscow", "54": "Asia/Novosibirsk", "55": "Asia/Omsk", "56": "Asia/Yekaterinburg",
    "57": "Europe/Moscow", "58": "Europe/Moscow", "59": "Asia/Yekaterinburg", "60": "Europe/Moscow",
    "61": "Europe/Moscow", "62": "Europe/Moscow", "63": "Europe/Samara", "64": "Europe/Saratov",
    "65": "Asia/Sakhalin", "66": "Asia/Yekaterinburg", "67": "Europe/Moscow", "68": "Europe/Moscow",
    "69": "Europe/Moscow", "70": "Asia/Tomsk", "71": "Europe/Moscow", "72": "Asia/Yekaterinburg",
    "73": "Europe/Ulyanovsk", "74": "Asia/Yekaterinburg", "75": "Asia/Chita", "76": "Europe/Moscow",
    "77": "Europe/Moscow", "78": "Europe/Moscow", "79": "Asia/Vladivostok", "83": "Europe/Moscow",
    "86": "Asia/Yekaterinburg", "87": "Asia/Anadyr", "89": "Asia/Yekaterinburg", "90": "Europe/Moscow",
    "91": "Europe/Simferopol", "92": "Europe/Simferopol", "93": "Europe/Moscow", "94": "Europe/Moscow",
    "95": "Europe/Moscow",
}


def region_timezone(code: str) -> str:
    """The IANA time zone of the region with this code; KeyError for a code that names no region."""
    return _TIMEZONES[code]


def region_by_code(code: str) -> Region | None:
    return _BY_CODE.get(code)


def region_name(code: str | None) -> str | None:
    """The region's name, or None for no code or a code that names no region."""
    region = _BY_CODE.get(code) if code else None
    return None if region is None else region.name


# Short forms operators write for a region, beyond the official name and the parts of it that the
# loader derives on its own (each side of an em dash, the name without «Республика», «(Якутия)»).
_SHORT_FORMS = """
02 Башкирия
07 Кабардино-Балкария; КБР
09 Карачаево-Черкесия; КЧР
14 Якутия; Саха; Республика Саха; РС(Я)
17 Тува
18 Удмуртия
20 Чечня
39 Калининград
41 Камчатка
47 Ленобласть
50 Подмосковье
65 Сахалин
75 Забайкалье
77 город Москва
78 Петербург; СПб; город Санкт-Петербург
79 ЕАО; Еврейская АО
83 НАО; Ненецкий АО
86 ХМАО; ХМАО — Югра; Ханты-Мансийский АО; Ханты-Мансийский АО — Югра
87 Чукотка; ЧАО; Чукотский АО
89 ЯНАО; Ямало-Ненецкий АО
91 Крым
93 ДНР
94 ЛНР
"""

_ABBREVIATIONS = {"обл": "область", "респ": "республика", "ао": "автономный округ"}


def _normal_name(text: str) -> str:
    """Lower case, «ё» as «е», dashes, dots, brackets and quotes as spaces, abbreviations spelt out."""
    lowered = text.lower().replace("ё", "е")
    for mark in "—–-.,()«»\"":
        lowered = lowered.replace(mark, " ")
    words = [_ABBREVIATIONS.get(word, word) for word in lowered.split()]
    if words and words[0] in {"г", "город"} and len(words) > 1:
        words = words[1:]
    return " ".join(words)


def _derived_forms(name: str) -> list[str]:
    parts = [part.strip() for part in name.split("—")]
    forms = [name, *parts]
    for part in parts:
        words = part.replace("(", " ").replace(")", " ").split()
        if words and words[0] == "Республика":
            forms.append(" ".join(words[1:]))
        if "(" in part:
            forms.append(part.split("(")[0])
            forms.append(part.split("(")[1].rstrip(")"))
    return forms


def _name_index() -> dict[str, str]:
    index: dict[str, str] = {}
    short = dict(line.split(" ", 1) for line in _SHORT_FORMS.strip().splitlines())
    for region in REGIONS:
        extra = short.get(region.code, "").split(";")
        for form in [*_derived_forms(region.name), *extra]:
            key = _normal_name(form)
            if key and index.setdefault(key, region.code) != region.code:
                raise ValueError(f"the region name {form!r} is ambiguous")
    return index


_BY_NAME = _name_index()


def region_code_of(text: str) -> str | None:
    """The code of the region this text names: a code ('16', '5'), the official name or a common short form
    («Татарстан», «г. Москва», «Кузбасс», «ХМАО»), regardless of case, «ё», spacing and dashes."""
    padded = padded_region(text)
    if isinstance(padded, str) and padded in _BY_CODE:
        return padded
    return _BY_NAME.get(_normal_name(text))


def padded_region(value: object) -> object:
    """Spreadsheets and YAML read '05' as 5 or '5'; a region code is always two digits."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:02d}"
    if isinstance(value, str) and value.strip().isdigit():
        return value.strip().zfill(2)
    return value


RegionCode = Annotated[str, BeforeValidator(padded_region), Field(pattern=r"^\d{2}$")]
