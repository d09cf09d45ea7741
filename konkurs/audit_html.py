"""The audit report as one self-contained HTML page: inline CSS, no scripts, nothing fetched,
every recorded text escaped, readable on screen and on paper."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from konkurs.audit_report import AuditReport


STYLE = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
       color: #1b1f24; max-width: 72rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #ccd; }
.meta { color: #555; } code, .hash { font-family: ui-monospace, Consolas, monospace; word-break: break-all; }
.banner { padding: .8rem 1rem; border: 2px solid; border-radius: 6px; font-weight: 600; margin: 1rem 0; }
.verified { background: #e6f4ea; border-color: #1e7e34; }
.differences-found { background: #fff4e5; border-color: #b76e00; }
.chain-broken { background: #fdecea; border-color: #b3261e; }
table { border-collapse: collapse; width: 100%; margin: .6rem 0; }
th, td { border: 1px solid #ccd; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f1f3f6; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.clock td { color: #666; } .none { color: #666; font-style: italic; }
.bad { color: #b3261e; font-weight: 600; }
svg { display: block; margin: .4rem 0 1rem; } svg text { font: 12px system-ui, sans-serif; }
@page { margin: 1.5cm; }
@media print { body { font-size: 11px; margin: 0; max-width: none; } h2 { break-after: avoid; }
               tr { break-inside: avoid; } .banner { background: none; } }
"""


def render_html(report: AuditReport) -> str:
    sections = [_summary(report), _chain(report), _checks(report), _seals(report),
                _commands(report), _cards(report), _rejections(report)]
    return (
        '<!DOCTYPE html>\n<html lang="ru">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(report.title)}: audit report</title>\n<style>{STYLE}</style>\n</head>\n"
        "<body>\n" + "\n".join(sections) + "\n</body>\n</html>\n"
    )


def _summary(report: AuditReport) -> str:
    return (
        f"<h1>{_e(report.title)}</h1>\n"
        f'<p class="meta">Audit report of contest <code>{_e(report.slug)}</code>, generated '
        f"{_e(_moment(report.generated_at))}. Spec hash <code>{_e(report.spec_hash)}</code>, "
        f"rules version {_e(report.audit.rules_version)}.</p>\n"
        f'<div class="banner {report.verdict.replace(" ", "-")}">{_e(_banner(report))}</div>'
    )


def _banner(report: AuditReport) -> str:
    if report.chain_break is not None:
        return (f"Chain broken: {report.chain_break.description}. The log is not the one that was "
                "linked; nothing recomputed from it can be trusted.")
    found = len(report.audit.differences)
    if found:
        return (f"Differences found: {_plural(found, 'difference')} between the record and the "
                "recomputation from the log; see below.")
    return "Verified: the chain is intact and every recomputed decision matches the record."


def _chain(report: AuditReport) -> str:
    head, broken = report.chain_head, report.chain_break
    verification = ("intact: every event up to the head matches its link" if broken is None
                    else broken.description)
    return (
        "<h2>Chain of the log</h2>\n"
        + _table(["chain head position", "chain head link", "verification"],
                 [[_n(head.position), _code(head.link), _e(verification)]])
        + "\n<p>Compare the head with the one published earlier (<code>konkurs audit head</code>): "
          "a rewrite of anything before a published position changes its link.</p>"
    )


def _checks(report: AuditReport) -> str:
    rows = [[_e(c.check), _n(c.recomputed), _outcome(c.holds, c.recomputed, len(c.differences)),
             "<br>".join(_e(note) for note in c.notes)] for c in report.audit.checks]
    differences = report.audit.differences
    found = _table(["check", "where", "recorded", "recomputed"],
                   [[_e(d.check), _e(d.where), _e(d.recorded or "nothing"),
                     _e(d.recomputed or "nothing")] for d in differences])
    return (
        "<h2>Recomputed from the log</h2>\n"
        + _table(["check", "decisions recomputed", "result", "notes"], rows, "No checks ran.")
        + ("\n<h3>Differences</h3>\n" + found if differences else "")
    )


def _outcome(holds: bool, recomputed: int, differences: int) -> str:
    if not holds:
        return _plural(differences, "difference")
    return "holds" if recomputed else "nothing to check"


def _seals(report: AuditReport) -> str:
    rows = [[_e(s.event), _n(s.position), _e(_moment(s.at)), _n(s.seal.chain_position),
             _code(s.seal.chain_head), _code(s.seal.spec_hash), _e(s.seal.rules_version),
             _code(s.seal.rules_code)] for s in report.seals]
    return "<h2>Seals recorded with the results</h2>\n" + _table(
        ["event", "position", "recorded at", "chain position", "chain head", "spec hash",
         "rules version", "rules code"], rows,
        "No results event of this contest carries a seal yet.")


def _commands(report: AuditReport) -> str:
    rows = []
    for c in report.operator_commands:
        details = "<br>".join(f"{_e(k)}: {_e(v)}" for k, v in c.details.items())
        actor = c.actor.describe() if c.actor else "not recorded"
        rows.append(([_n(c.position), _e(_moment(c.at)), _e(c.kind), _e(actor), _e(c.phase or ""),
                      _e(c.reason or ""), details], "clock" if c.kind == "deadline" else ""))
    return (
        "<h2>Operator commands</h2>\n<p>In log order, with who sent each. Grey rows are phases "
        "the clock closed at their deadline; every other row is an operator's decision.</p>\n"
        + _table(["position", "recorded at", "command", "by", "phase", "reason", "details"],
                 [r for r, _ in rows], "No commands recorded.", [cls for _, cls in rows])
    )


def _cards(report: AuditReport) -> str:
    strangers = [c.expert for c in report.cards if not c.by_the_expert]
    verdict = (f"<p class=\"bad\">Cards of {len(strangers)} experts were recorded by someone else: "
               f"{_e(', '.join(strangers))}.</p>" if strangers else
               "<p>Every card was recorded by the expert who scored it.</p>")
    rows = [[_e(c.expert), _n(c.cards), _e("; ".join(c.recorded_by)), "yes" if c.by_the_expert else "no"]
            for c in report.cards]
    return "<h2>Scorecards and who recorded them</h2>\n" + verdict + _table(
        ["expert", "cards and revisions", "recorded by", "by the expert"], rows,
        "No scorecards recorded.")


def _rejections(report: AuditReport) -> str:
    counts = report.rejections
    parts = ["<h2>Rejections</h2>"]
    parts += _counted("Submissions rejected by screening, by kind", counts.submissions_by_kind,
                      "Screening has not concluded.")
    parts += _counted("Submissions rejected, by recorded reason", counts.submissions_by_reason)
    parts += _counted("Ballots refused, by reason", counts.ballots_by_reason)
    late = [("reviews recorded after judging closed", counts.reviews_late),
            ("ballots recorded after voting closed", counts.ballots_late)]
    parts.append("<h3>Recorded after the close, never counted</h3>\n" + _table(
        ["what", "count"], [[_e(what), "not concluded yet" if n is None else _n(n)]
                            for what, n in late]))
    return "\n".join(parts)


def _counted(title: str, counts: Mapping[str, int] | None, absent: str = "None.") -> list[str]:
    if not counts:
        return [f"<h3>{_e(title)}</h3>", f'<p class="none">{_e(absent if counts is None else "None.")}</p>']
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [f"<h3>{_e(title)}</h3>", _bars(ordered),
            _table(["reason", "count"], [[_e(reason), _n(n)] for reason, n in ordered])]


def _bars(counts: Sequence[tuple[str, int]]) -> str:
    """A horizontal bar per reason, scaled to the largest; labels stay in the table's words."""
    top = max(n for _, n in counts) or 1
    width, row = 720, 22
    bars = []
    for index, (reason, n) in enumerate(counts):
        y = index * row
        length = max(2, round(360 * n / top))
        label = reason if len(reason) <= 40 else reason[:39] + "…"
        bars.append(f'<text x="0" y="{y + 15}">{_e(label)}</text>'
                    f'<rect x="270" y="{y + 4}" width="{length}" height="14" fill="#4a6fa5"/>'
                    f'<text x="{276 + length}" y="{y + 15}">{n}</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{row * len(counts)}" '
            f'role="img" aria-label="rejections by reason">{"".join(bars)}</svg>')


def _table(headers: Iterable[str], rows: Sequence[Sequence[str]], empty: str = "None.",
           classes: Sequence[str] = ()) -> str:
    """Cells arrive escaped; headers are this module's own words."""
    if not rows:
        return f'<p class="none">{_e(empty)}</p>'
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = []
    for index, row in enumerate(rows):
        cls = classes[index] if index < len(classes) and classes[index] else ""
        cells = "".join(cell if cell.startswith("<td") else f"<td>{cell}</td>" for cell in row)
        body.append(f'<tr class="{cls}">{cells}</tr>' if cls else f"<tr>{cells}</tr>")
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(body) + "\n</tbody>\n</table>"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _n(number: int) -> str:
    return f'<td class="n">{number}</td>'


def _code(text: str) -> str:
    return f'<span class="hash">{_e(text)}</span>'


def _moment(moment: datetime) -> str:
    return moment.isoformat(sep=" ", timespec="seconds")


def _e(text: str) -> str:
    return escape(str(text), quote=True)
