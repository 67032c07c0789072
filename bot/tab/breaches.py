"""The privacy office's breach register and case pages on the tab. The register is the export's
own rows; a case page shows every column of its row, the 72-hour clock counted from awareness
as on the card, what was decided, asked and added, and the card's forms (bot/tab/breach_actions.py
records them through the card's services)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from bot.domain.breaches import Breach, BreachStatus, Proposal
from bot.domain.registers import AMSTERDAM
from bot.services.spreadsheets import Cell
from bot.tab.pages import e, notices
from cards import text
from dialogs import breach_view
from dialogs.breach_register import (
    ALL,
    AP_DECISIONS,
    CLOCKS,
    RISKS,
    STATES,
    Narrowing,
    in_year,
    late,
    narrowed,
    pick_year,
    register_rows,
)
from dialogs.breach_view import clock_line
from dialogs.dataleak import office_contact, status_lines
from dialogs.requests_view import when


def _cell(cell: Cell, locale: str) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return when(cell.replace(tzinfo=AMSTERDAM), locale)
    return str(cell)


PAGE_SIZE = 25
SORTS = ("newest", "oldest", "deadline", "reference")


@dataclass(frozen=True)
class BreachQuery:
    """What the privacy office asked the register for (each value checked on the way in)."""

    year: int | None
    narrowing: Narrowing
    sort: str
    page: int

    @classmethod
    def of(cls, raw: Mapping[str, str], now: datetime) -> BreachQuery:
        sort, page = raw.get("sort", ""), raw.get("page", "")
        return cls(
            pick_year(raw.get("year"), now),
            Narrowing.of(raw),
            sort if sort in SORTS else SORTS[0],
            int(page) if page.isdigit() and 0 < int(page) < 10_000 else 1,
        )

    def params(self, **changed: object) -> str:
        values: dict[str, object] = {
            "year": self.year if self.year is not None else ALL,
            **self.narrowing.params(),
            "sort": self.sort,
            "page": self.page,
        }
        values.update(changed)
        return urlencode({k: str(v) for k, v in values.items()})


def _sorted(breaches: Sequence[Breach], sort: str) -> list[Breach]:
    if sort == "oldest":
        return sorted(breaches, key=lambda b: (b.facts.discovered_at, b.id))
    if sort == "deadline":  # the clock that runs out first on top; decided ones after
        return sorted(breaches, key=lambda b: (not b.clock_running, b.deadline, b.id))
    if sort == "reference":
        return sorted(breaches, key=lambda b: b.id)
    return sorted(breaches, key=lambda b: (b.facts.discovered_at, b.id), reverse=True)


def _options(choices: Sequence[tuple[str, str]], chosen: str) -> str:
    return "".join(
        f'<option value="{e(v)}"' + (" selected" if v == chosen else "") + f">{e(t)}</option>"
        for v, t in choices
    )


def _filter(name: str, label: str, choices: Sequence[tuple[str, str]], chosen: str) -> str:
    return (
        f'<div class="field"><label for="f-{name}">{e(label)}</label>'
        f'<select id="f-{name}" name="{name}">{_options(choices, chosen)}</select></div>'
    )


def _status_text(breach: Breach, locale: str) -> str:
    state = "closed" if breach.status is BreachStatus.CLOSED else "open"
    return text(locale, f"dataleak.register.{state}")


def _ap_text(breach: Breach, locale: str) -> str:
    ap = "ap_open" if breach.ap is None else ("ap_yes" if breach.ap.yes else "ap_no")
    return text(locale, f"dataleak.register.{ap}")


def _risk_text(breach: Breach, locale: str) -> str:
    if breach.assessment is None:
        return text(locale, "tab.breaches.risks.unassessed")
    return text(locale, f"tab.breaches.risks.{breach.assessment.decided.value}")


def _clock_text(breach: Breach, now: datetime, locale: str) -> str:
    if late(breach, now):
        return text(locale, "tab.breaches.clock_late", deadline=when(breach.deadline, locale))
    if breach.clock_running:
        return text(locale, "tab.breaches.clock_running", deadline=when(breach.deadline, locale))
    return text(locale, "tab.breaches.clock_on_time")


def register_page(
    breaches: Sequence[Breach], query: BreachQuery, now: datetime, locale: str, nav: str
) -> str:
    """The register with the privacy office's filters, search, sorting and paging; the export
    takes the same filters (its ticket's params)."""

    def t(key: str, **values: object) -> str:
        return text(locale, key, **values)

    this_year = now.astimezone(AMSTERDAM).year
    years = sorted(
        {this_year, *(b.facts.discovered_at.astimezone(AMSTERDAM).year for b in breaches)},
        reverse=True,
    )
    chosen = str(query.year) if query.year is not None else ALL
    year_options = [(str(y), str(y)) for y in years] + [(ALL, t("dataleak.register.all_years"))]
    n = query.narrowing
    every = [("", t("tab.breaches.all"))]
    filters = (
        '<form data-view="/breaches" class="filters" role="search">'
        + '<div class="field"><label for="f-q">'
        + e(t("tab.breaches.search"))
        + '</label><p class="hint" id="f-q-hint">'
        + e(t("tab.breaches.search_hint"))
        + '</p><input id="f-q" name="q" type="search" maxlength="100" '
        + f'aria-describedby="f-q-hint" value="{e(n.search)}"></div>'
        + _filter("year", t("tab.registers.year"), year_options, chosen)
        + _filter(
            "state",
            t("tab.breaches.state"),
            every + [(s, t(f"tab.breaches.states.{s}")) for s in STATES],
            n.state,
        )
        + _filter(
            "risk",
            t("tab.breaches.risk"),
            every + [(r, t(f"tab.breaches.risks.{r}")) for r in RISKS],
            n.risk,
        )
        + _filter(
            "ap",
            t("tab.breaches.ap"),
            every + [(a, t(f"tab.breaches.aps.{a}")) for a in AP_DECISIONS],
            n.ap,
        )
        + _filter(
            "clock",
            t("tab.breaches.clock"),
            every + [(c, t(f"tab.breaches.clocks.{c}")) for c in CLOCKS],
            n.clock,
        )
        + _filter(
            "sort",
            t("tab.registers.sort"),
            [(s, t(f"tab.breaches.sorts.{s}")) for s in SORTS],
            query.sort,
        )
        + f'<button type="submit">{e(t("tab.registers.apply"))}</button></form>'
    )
    found = _sorted(narrowed(in_year(breaches, query.year), n, now), query.sort)
    pages = max(1, -(-len(found) // PAGE_SIZE))
    page = min(query.page, pages)
    shown = found[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    headers = [
        t("dataleak.export.reference"),
        t("dataleak.export.discovered_at"),
        t("dataleak.export.description"),
        t("tab.breaches.state"),
        t("tab.breaches.risk"),
        t("tab.breaches.ap"),
        t("tab.breaches.clock"),
    ]
    head = "".join(f'<th scope="col">{e(h)}</th>' for h in headers)
    body = "".join(
        "<tr>"
        + f'<td><a href="#breaches" data-view="/breaches/{e(b.id)}">{e(b.id)}</a></td>'
        + f"<td>{e(when(b.facts.discovered_at, locale))}</td>"
        + f"<td>{e(_short(b.facts.description))}</td>"
        + f"<td>{e(_status_text(b, locale))}</td>"
        + f"<td>{e(_risk_text(b, locale))}</td>"
        + f"<td>{e(_ap_text(b, locale))}</td>"
        + f"<td>{e(_clock_text(b, now, locale))}</td>"
        + "</tr>"
        for b in shown
    )
    table = (
        f'<div class="table" role="region" tabindex="0" aria-label="'
        f'{e(t("tab.breaches_title"))}"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
        if shown
        else f'<p class="empty">{e(t("tab.registers.none"))}</p>'
    )
    paging = []
    if page > 1:
        paging.append(
            f'<a href="#breaches" data-view="/breaches?{e(query.params(page=page - 1))}">'
            f"{e(t('tab.registers.previous'))}</a>"
        )
    if page < pages:
        paging.append(
            f'<a href="#breaches" data-view="/breaches?{e(query.params(page=page + 1))}">'
            f"{e(t('tab.registers.next'))}</a>"
        )
    hidden = {"year": chosen, **n.params()}
    exports = (
        '<form data-api="/tab/api/breaches/export" class="exports">'
        + "".join(f'<input type="hidden" name="{e(k)}" value="{e(v)}">' for k, v in hidden.items())
        + "".join(
            f'<button type="submit" name="format" value="{fmt}">'
            f"{e(t('tab.registers.export', format=fmt.upper()))}</button>"
            for fmt in ("csv", "xlsx")
        )
        + "</form>"
    )
    count = t("tab.breaches_count", count=len(found), page=page, pages=pages)
    return (
        nav
        + f"<h1>{e(t('tab.breaches_title'))}</h1>"
        + filters
        + f'<p role="status">{e(count)}</p>'
        + table
        + (f'<p class="paging">{" ".join(paging)}</p>' if paging else "")
        + exports
    )


def _short(description: str, limit: int = 120) -> str:
    """What happened, cut for the table (the case page has it whole)."""
    flat = " ".join(description.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def case_page(
    breach: Breach,
    now: datetime,
    locale: str,
    nav: str,
    error: str = "",
    notice: str = "",
    values: Mapping[str, str] | None = None,
    proposal: Proposal | None = None,
    viewer_id: str = "",
) -> str:
    """One case: its facts and clock, what was recorded, and (while open) the card's forms,
    except for its own reporter, who does not weigh their own report;
    `values` keeps what the officer typed after a refusal; `proposal` previews an assessment
    of the ticked factors."""
    headers, [cells] = register_rows([breach], locale)
    facts = "".join(
        f"<dt>{e(h)}</dt><dd>{e(_cell(c, locale))}</dd>"
        for h, c in zip(headers, cells, strict=True)
        if c not in (None, "")
    )
    parts = [
        nav,
        f'<p><a href="#breaches" data-view="/breaches">{e(text(locale, "tab.back"))}</a></p>',
        f"<h1>{e(text(locale, 'tab.breach_title', reference=breach.id))}</h1>",
    ]
    parts += notices(notice, error)
    if breach.clock_running:
        parts.append(f'<p class="message attention clock">{e(clock_line(breach, locale, now))}</p>')
    recorded = [line["text"] for line in status_lines(breach, locale)]
    recorded += [line["text"] for line in breach_view.notification_lines(breach, locale)]
    parts.append(f"<h2>{e(text(locale, 'tab.case_status'))}</h2>" + _lines(recorded))
    additions = [f"{when(a.at, locale)}: {a.text}" for a in breach.additions]
    if additions:
        parts.append(f"<h2>{e(text(locale, 'dataleak.office.additions'))}</h2>" + _lines(additions))
    asked = breach_view.questions(breach, locale)
    if asked:
        items = "".join(f"<li>{e(q['text'])}<br>{e(q['answer'])}</li>" for q in asked)
        parts.append(f"<h2>{e(text(locale, 'dataleak.questions.title'))}</h2><ul>{items}</ul>")
    parts.append(f"<h2>{e(text(locale, 'tab.facts_title'))}</h2><dl>{facts}</dl>")
    assessed = [line["text"] for line in breach_view.assessment_lines(breach, locale)]
    shown = proposal or breach_view.preview(breach_view.first_factors(breach))
    proposed = [line["text"] for line in breach_view.proposal_lines(shown, locale)]
    parts.append(
        f"<h2>{e(text(locale, 'dataleak.risk.title'))}</h2>"
        + _lines(assessed)
        + f'<div class="proposal" role="status">{_lines(proposed)}</div>'
    )
    if breach.reporter.id == viewer_id:
        parts.append(f'<p class="message">{e(text(locale, "dataleak.refused.own_report"))}</p>')
    elif breach.status is not BreachStatus.CLOSED:
        parts.append(_forms(breach, locale, values or {}))
    parts.append(_downloads(breach, locale))
    return "".join(parts)


def _downloads(breach: Breach, locale: str) -> str:
    """The dossier PDF, and the letter's once there is one to write (as on the card)."""
    buttons = [("dossier", text(locale, "dataleak.dossier.download"))]
    if breach.high_risk or bool(breach.subjects and breach.subjects.yes):
        buttons.append(("letter_download", text(locale, "dataleak.letter.download")))
    return _form(breach, text(locale, "tab.case_documents"), "", buttons)


def _assessment(typed: Mapping[str, str], breach: Breach, locale: str) -> str:
    """The risk factors (first guess from the report, or the last assessment), the officer's
    verdict and reason, as on the card."""
    factors = breach_view.factor_values(breach_view.first_factors(breach))
    values = {**factors, **{k: v for k, v in typed.items() if k.startswith("risk")}}
    ticked = set(values.get("riskCategories", "").split(","))
    boxes = "".join(
        f'<div class="check"><input type="checkbox" id="c-cat-{e(c["value"])}" '
        f'name="riskCategories" value="{e(c["value"])}"'
        + (" checked" if c["value"] in ticked else "")
        + f'><label for="c-cat-{e(c["value"])}">{e(c["title"])}</label></div>'
        for c in breach_view.category_choices(locale)
    )
    fields = (
        f"<fieldset><legend>{e(text(locale, 'dataleak.risk.categories_label'))}</legend>"
        f"{boxes}</fieldset>"
        + _select(
            "riskPeople",
            text(locale, "dataleak.risk.people_label"),
            breach_view.people_choices(locale),
            values.get("riskPeople", ""),
        )
    )
    for flag in ("identifiable", "encrypted", "recovered", "ongoing"):
        name = f"risk{flag.title()}"
        fields += (
            f'<div class="check"><input type="checkbox" id="c-{name}" name="{name}" value="true"'
            + (" checked" if values.get(name) == "true" else "")
            + f'><label for="c-{name}">{e(text(locale, f"dataleak.risk.{flag}"))}</label></div>'
        )
    fields += _select(
        "riskDecision",
        text(locale, "dataleak.risk.decision_label"),
        breach_view.risk_choices(locale),
        values.get("riskDecision", ""),
    ) + _field(
        "riskReason",
        text(locale, "dataleak.risk.reason_label"),
        "area",
        values.get("riskReason", ""),
        text(locale, "dataleak.risk.reason_placeholder"),
        1000,
    )
    return _form(
        breach,
        text(locale, "dataleak.risk.title"),
        fields,
        [
            ("propose", text(locale, "dataleak.risk.preview")),
            ("assess", text(locale, "dataleak.risk.record")),
        ],
    )


def _select(name: str, label: str, choices: Sequence[Mapping[str, str]], value: str) -> str:
    options = "".join(
        f'<option value="{e(c["value"])}"'
        + (" selected" if c["value"] == value else "")
        + f">{e(c['title'])}</option>"
        for c in choices
    )
    return (
        f'<div class="field"><label for="c-{name}">{e(label)}</label>'
        f'<select id="c-{name}" name="{name}">{options}</select></div>'
    )


def _lines(lines: Sequence[str]) -> str:
    return "<ul>" + "".join(f"<li>{e(line)}</li>" for line in lines) + "</ul>"


def _field(name: str, label: str, kind: str, value: str, hint: str = "", limit: int = 0) -> str:
    """One labelled input (a textarea for kind "area")."""
    fid = f"c-{name}"
    described = f' aria-describedby="{fid}-hint"' if hint else ""
    hint_html = f'<p class="hint" id="{fid}-hint">{e(hint)}</p>' if hint else ""
    length = f' maxlength="{limit}"' if limit else ""
    if kind == "area":
        control = (
            f'<textarea id="{fid}" name="{name}" rows="3"{length}{described}>{e(value)}</textarea>'
        )
    else:
        control = (
            f'<input id="{fid}" name="{name}" type="{kind}" value="{e(value)}"{length}{described}>'
        )
    return f'<div class="field"><label for="{fid}">{e(label)}</label>{hint_html}{control}</div>'


def _form(breach: Breach, title: str, fields: str, buttons: Sequence[tuple[str, str]]) -> str:
    """A form posting to the case with the pressed button's value as `do`."""
    shown = "".join(
        f'<button type="submit" name="do" value="{e(value)}" class="choice">{e(label)}</button>'
        for value, label in buttons
    )
    return (
        f'<form data-api="/tab/api/breaches/{e(breach.id)}" class="act">'
        f'<h2>{e(title)}</h2>{fields}<div class="choices">{shown}</div></form>'
    )


def _forms(breach: Breach, locale: str, typed: Mapping[str, str]) -> str:
    """The case card's forms, under the card's own conditions (dialogs/dataleak.py)."""
    t = partial_text(locale)
    contact = office_contact(breach, locale)
    aware = breach.clock_start.astimezone(AMSTERDAM)
    nl, en = breach_view.letter_texts(breach, contact)
    values = {
        "awareDate": aware.date().isoformat(),
        "awareTime": aware.strftime("%H:%M"),
        "consequences": breach.consequences,
        "measuresTaken": breach.measures,
        "letterNl": nl,
        "letterEn": en,
        **{k: v for k, v in typed.items()},
    }

    def v(name: str) -> str:
        return values.get(name, "")

    limits = breach_view.LIMITS
    decisions = [
        (a, t(f"dataleak.office.{a}"))
        for a in ("acknowledge", "ap_yes", "ap_no", "subjects_yes", "subjects_no", "close")
        if a != "acknowledge" or breach.acknowledged is None
    ]
    out = [
        _form(
            breach,
            t("tab.case_decide"),
            _field(
                "reason",
                t("dataleak.office.reason"),
                "area",
                v("reason"),
                t("dataleak.office.reason_placeholder"),
                1000,
            ),
            decisions,
        ),
        _form(
            breach,
            t("dataleak.case.title"),
            _field("awareDate", t("dataleak.case.aware_date"), "date", v("awareDate"))
            + _field("awareTime", t("dataleak.case.aware_time"), "time", v("awareTime"))
            + _field(
                "consequences",
                t("dataleak.case.consequences"),
                "area",
                v("consequences"),
                limit=limits["consequences"],
            )
            + _field(
                "measuresTaken",
                t("dataleak.case.measures"),
                "area",
                v("measuresTaken"),
                limit=limits["measuresTaken"],
            ),
            [("case", t("dataleak.case.save"))],
        ),
    ]
    out.append(_assessment(typed, breach, locale))
    notified = breach.notification is not None
    if breach.must_notify and not notified:
        out.append(
            _form(
                breach,
                t("dataleak.ap.title"),
                _field("apDate", t("dataleak.ap.date"), "date", v("apDate"))
                + _field("apTime", t("dataleak.ap.time"), "time", v("apTime"))
                + _field(
                    "apReference", t("dataleak.ap.reference"), "text", v("apReference"), limit=100
                )
                + _field(
                    "apLateReason",
                    t("dataleak.ap.late_reason"),
                    "area",
                    v("apLateReason"),
                    limit=limits["apLateReason"],
                ),
                [("ap_reported", t("dataleak.ap.record"))],
            )
        )
    if notified and not breach.withdrawn:
        out.append(
            _form(
                breach,
                t("dataleak.ap.title"),
                _field(
                    "apUpdate",
                    t("dataleak.ap.update"),
                    "area",
                    v("apUpdate"),
                    limit=limits["apUpdate"],
                ),
                [
                    ("ap_supplement", t("dataleak.ap.supplement")),
                    ("ap_withdraw", t("dataleak.ap.withdraw")),
                ],
            )
        )
    if breach.high_risk or bool(breach.subjects and breach.subjects.yes):
        out.append(
            _form(
                breach,
                t("dataleak.letter.title"),
                _field("letterNl", t("dataleak.letter.nl"), "area", v("letterNl"), limit=3000)
                + _field("letterEn", t("dataleak.letter.en"), "area", v("letterEn"), limit=3000),
                [("letter", t("dataleak.letter.save"))],
            )
        )
    out.append(
        _form(
            breach,
            t("dataleak.questions.ask_title"),
            _field(
                "question",
                t("dataleak.questions.label"),
                "area",
                v("question"),
                t("dataleak.questions.placeholder"),
                500,
            ),
            [("ask", t("dataleak.questions.send"))],
        )
    )
    return "".join(out)


def partial_text(locale: str) -> Callable[[str], str]:
    return lambda key: text(locale, key)
