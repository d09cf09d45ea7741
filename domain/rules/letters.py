"""The announcement letters of a contest: who they go to, what identifies them, and their text for
each addressee."""

from __future__ import annotations

from datetime import date, timedelta
from string import Template
from zoneinfo import ZoneInfo

from domain.authorities import REGIONAL_AUTHORITIES
from domain.model import Value
from domain.phases import Phase, PhasePlan
from domain.regions import REGIONS, region_name
from domain.russian_dates import russian_date, russian_deadline
from domain.spec import ContestSpec, Level
from domain.spec.announcement import Addressee, LetterParticulars


class Letter(Value):
    addressee: Addressee
    subject: str
    text: str
    particulars: LetterParticulars | None = None


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
    """One letter per addressee, its dates taken from `plan` (a rehearsal's plan is moved).

    A letter whose spec gives its particulars opens with the heading a signed letter has (the
    sender, the date and number, the addressee) and ends with the signature."""
    announcement = spec.announcement
    if announcement is None:
        return []
    common = contest_fields(spec, plan)
    particulars = moved_particulars(spec, plan, announcement.particulars())
    subject, letter = Template(announcement.subject), Template(announcement.letter)
    letters = []
    for addressee in addressees(spec):
        fields = {**common, "addressee": addressee.name, "region": addressee.region or "",
                  "region_name": region_name(addressee.region) or ""}
        text = letter.substitute(fields)
        if particulars is not None:
            text = heading(particulars, addressee) + text + signature(particulars)
        letters.append(Letter(addressee=addressee, subject=subject.substitute(fields), text=text,
                              particulars=particulars))
    return letters


def heading(particulars: LetterParticulars, addressee: Addressee) -> str:
    """«Минтруд России / 18.10.2023 № 27-4/10/В-16418 / Кабинет Министров Республики Татарстан»,
    each followed by a blank line; nothing when the spec names no sender, date or number."""
    reference = particulars.reference()
    if not (particulars.sender or reference):
        return ""
    return "".join(f"{line}\n\n" for line in (particulars.sender, reference, addressee.name) if line)


def signature(particulars: LetterParticulars) -> str:
    signatory = particulars.signatory
    return "" if signatory is None else f"\n{signatory.position}\n{signatory.name}\n"


def moved_particulars(
    spec: ContestSpec, plan: PhasePlan, particulars: LetterParticulars | None
) -> LetterParticulars | None:
    """A rehearsal moves the letter's date with the plan, as it moves every date in its text."""
    if particulars is None or particulars.dated is None:
        return particulars
    zone = ZoneInfo(spec.timezone)
    moved = spec.local_moment(particulars.dated, end_of_day=False) + _moved_by(spec, plan)
    dated: date = moved.astimezone(zone).date()
    return particulars.model_copy(update={"dated": dated})


def _moved_by(spec: ContestSpec, plan: PhasePlan) -> timedelta:
    return plan.windows[0].closes_at - spec.phase_plan().windows[0].closes_at


def contest_fields(spec: ContestSpec, plan: PhasePlan) -> dict[str, str]:
    """The LETTER_FIELDS every addressee's letter shares."""
    zone = ZoneInfo(spec.timezone)
    announced = spec.local_moment(spec.schedule.announced, end_of_day=False) + _moved_by(spec, plan)
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
