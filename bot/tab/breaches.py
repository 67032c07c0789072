"""The privacy office's breach register and case pages on the tab. The register is the export's
own rows; a case page shows every column of its row, the 72-hour clock counted from awareness
as on the card, what was decided, asked and added, and the card's forms (bot/tab/breach_actions.py
records them through the card's services)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from bot.domain.breaches import Breach, BreachStatus, Proposal
from bot.domain.registers import AMSTERDAM
from bot.services.spreadsheets import Cell
from bot.tab.pages import e
from cards import text
from dialogs import breach_view
from dialogs.breach_register import ALL, in_year, register_rows
from dialogs.breach_view import clock_line
from dialogs.dataleak import office_contact, status_lines
from dialogs.requests_view import when


def _cell(cell: Cell, locale: str) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return when(cell.replace(tzinfo=AMSTERDAM), locale)
    return str(cell)


def register_page(
    breaches: Sequence[Breach], year: int | None, now: datetime, locale: str, nav: str
) -> str:
    this_year = now.astimezone(AMSTERDAM).year
    years = sorted(
        {this_year, *(b.facts.discovered_at.astimezone(AMSTERDAM).year for b in breaches)},
        reverse=True,
    )
    chosen = str(year) if year is not None else ALL
    options = [(str(y), str(y)) for y in years] + [
        (ALL, text(locale, "dataleak.register.all_years"))
    ]
    select = "".join(
        f'<option value="{v}"' + (" selected" if v == chosen else "") + f">{e(t)}</option>"
        for v, t in options
    )
    shown = in_year(breaches, year)
    headers, rows = register_rows(shown, locale)
    wanted = (0, 1, 2, 3)  # reference, discovered, reported, kind ... as the export orders them
    head = "".join(f'<th scope="col">{e(headers[i])}</th>' for i in wanted if i < len(headers))
    body = "".join(
        "<tr>"
        + "".join(
            (
                f'<td><a href="#breaches" data-view="/breaches/{e(b.id)}">{e(b.id)}</a></td>'
                if i == 0
                else f"<td>{e(_cell(cells[i], locale))}</td>"
            )
            for i in wanted
            if i < len(cells)
        )
        + "</tr>"
        for b, cells in zip(shown, rows, strict=True)
    )
    table = (
        f'<div class="table" role="region" tabindex="0" aria-label="'
        f'{e(text(locale, "tab.breaches_title"))}"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
        if shown
        else f'<p class="empty">{e(text(locale, "tab.registers.none"))}</p>'
    )
    exports = (
        '<form data-api="/tab/api/breaches/export" class="exports">'
        f'<input type="hidden" name="year" value="{e(chosen)}">'
        + "".join(
            f'<button type="submit" name="format" value="{fmt}">'
            f"{e(text(locale, 'tab.registers.export', format=fmt.upper()))}</button>"
            for fmt in ("csv", "xlsx")
        )
        + "</form>"
    )
    return (
        nav
        + f"<h1>{e(text(locale, 'tab.breaches_title'))}</h1>"
        + '<form data-view="/breaches" class="filters"><div class="field">'
        + f'<label for="f-year">{e(text(locale, "tab.registers.year"))}</label>'
        + f'<select id="f-year" name="year">{select}</select></div>'
        + f'<button type="submit">{e(text(locale, "tab.registers.apply"))}</button></form>'
        + f'<p role="status">{e(text(locale, "tab.breaches_count", count=len(shown)))}</p>'
        + table
        + exports
    )


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
    if notice:
        parts.append(f'<p role="status" class="message good">{e(notice)}</p>')
    if error:
        parts.append(f'<p role="alert" class="message attention">{e(error)}</p>')
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
