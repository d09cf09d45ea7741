"""The announcement letters of a contest: who they go to, and their text for each addressee."""

from __future__ import annotations

from datetime import datetime, timedelta
from string import Template
from zoneinfo import ZoneInfo

from domain.authorities import REGIONAL_AUTHORITIES
from domain.model import Value
from domain.phases import Phase, PhasePlan
from domain.regions import REGIONS, region_name
from domain.spec import ContestSpec, Level
from domain.spec.announcement import Addressee

MONTHS = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)


class Letter(Value):
    addressee: Addressee
    subject: str
    text: str


def addressees(spec: ContestSpec) -> list[Addressee]:
    """The spec's list (an addressee named twice gets one letter), or the authorities of the
    regions the contest is open to; a spec without an announcement section has none."""
    announcement = spec.announcement
    if announcement is None:
        return []
    if announcement.addressees != "regional_authorities":
        return list(dict.fromkeys(announcement.addressees))
    if spec.level == Level.FEDERAL:
        codes = sorted(set(spec.eligibility.regions or [r.code for r in REGIONS]))
    else:
        codes = [spec.region] if spec.region else []
    return [Addressee(name=REGIONAL_AUTHORITIES[code], region=code) for code in codes]


def render_letters(spec: ContestSpec, plan: PhasePlan) -> list[Letter]:
    """One letter per addressee, its dates taken from `plan` (a rehearsal's plan is moved)."""
    announcement = spec.announcement
    if announcement is None:
        return []
    common = contest_fields(spec, plan)
    subject, letter = Template(announcement.subject), Template(announcement.letter)
    letters = []
    for addressee in addressees(spec):
        fields = {**common, "addressee": addressee.name, "region": addressee.region or "",
                  "region_name": region_name(addressee.region) or ""}
        letters.append(Letter(addressee=addressee, subject=subject.substitute(fields),
                              text=letter.substitute(fields)))
    return letters


def contest_fields(spec: ContestSpec, plan: PhasePlan) -> dict[str, str]:
    """The LETTER_FIELDS every addressee's letter shares."""
    zone = ZoneInfo(spec.timezone)
    moved_by = plan.windows[0].closes_at - spec.phase_plan().windows[0].closes_at
    announced = spec.local_moment(spec.schedule.announced, end_of_day=False) + moved_by
    return {
        "title": spec.title,
        "slug": spec.slug,
        "organisers": russian_list(spec.organisers),
        "announced": russian_date(announced.astimezone(zone)),
        "collection_closes": russian_deadline(plan.window(Phase.COLLECTING).closes_at, zone),
        "results_published": russian_date(plan.window(Phase.RESULTS).closes_at.astimezone(zone)),
        "nominations": "\n".join(f"– {n.title}" for n in spec.nominations),
    }


def russian_list(items: list[str]) -> str:
    """«АСИ и АНО «Диалог Регионы»», «А, Б и В»."""
    return " и ".join(filter(None, (", ".join(items[:-1]), items[-1])))


def russian_date(moment: datetime) -> str:
    """«3 ноября 2023 г.»"""
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year} г."


def russian_deadline(closes_at: datetime, zone: ZoneInfo) -> str:
    """The last day of a deadline: one that closes at midnight is the whole day before it;
    any other gives its time too («3 ноября 2023 г., 18:00»)."""
    local = closes_at.astimezone(zone)
    if (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0):
        return russian_date(local - timedelta(days=1))
    return f"{russian_date(local)}, {local:%H:%M}"
