"""Stages: the regional stages a federal template declares, and who advances from one."""

from __future__ import annotations

from domain.outcomes import ContestResults, Standing
from domain.regions import REGIONS, region_by_code, region_timezone
from domain.spec import ContestSpec, Level
from domain.spec.stages import RegionalStages


def stage_regions(stages: RegionalStages) -> list[str]:
    return [r.code for r in REGIONS] if stages.regions == "all" else list(stages.regions)


def template_fill(code: str) -> dict[str, str]:
    region = region_by_code(code)
    return {"region": code, "region_name": region.name if region else code}


def stage_slugs(stages: RegionalStages) -> list[tuple[str, str]]:
    """(region, slug) of each regional stage the template declares."""
    return [(code, stages.slug.format(**template_fill(code))) for code in stage_regions(stages)]


def regional_stage_specs(federal: ContestSpec) -> list[ContestSpec]:
    """One regional spec per region of the federal stage's template, in region order.

    A regional stage judges the same nominations with the same criteria; it takes only its own
    region, has its own dates, read in its region's time zone unless the template names one (a
    deadline of 1 March closes at midnight in Chita, six hours before Moscow's), and names the
    federal stage its winners advance to.
    """
    stages = federal.regional_stages
    if stages is None:
        return []
    specs = []
    for code in stage_regions(stages):
        fill = template_fill(code)
        data = federal.model_dump(mode="json", exclude={"regional_stages", "announcement",
                                                        "participation"})
        data.update(
            slug=stages.slug.format(**fill),
            title=stages.title.format(**fill),
            organisers=[o.format(**fill) for o in stages.organisers],
            level=Level.REGIONAL.value,
            region=code,
            timezone=stages.timezone or region_timezone(code),
            schedule=stages.schedule.model_dump(mode="json", exclude_none=True),
            promotion={"federal": federal.slug, "places": stages.places},
        )
        data["eligibility"] = {**data["eligibility"], "regions": [code]}
        specs.append(ContestSpec.model_validate(data))
    return specs


def advancing(results: ContestResults, places: list[int]) -> list[Standing]:
    """The standings that advance: the winners whose place the promotion rule names."""
    wanted = set(places)
    return [standing for standing in results.winners if standing.place in wanted]


def promoted_reference(stage_region: str | None, reference: str) -> str:
    """A promoted submission's reference in the federal stage: unique across its regions."""
    return f"{stage_region}-{reference}" if stage_region else reference
