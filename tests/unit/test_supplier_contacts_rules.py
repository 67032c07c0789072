"""Suppliers confirm they know the code: the import's checks, the list's rules and the
confirmation link's token, as pure rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.domain.supplier_contacts import (
    MAX_LINES,
    ContactLine,
    LinkRefused,
    contact_key,
    due_for,
    imported,
    link_token,
    parse_contacts,
    read_link,
)

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)
SECRET = "a-test-secret-of-at-least-thirty-two-characters"


def test_good_lines_are_contacts_and_every_bad_line_says_why() -> None:
    parsed = parse_contacts(
        "naam;organisatie;e-mail\n"
        "Jan de Vos;Bouwbedrijf Vos;jan@bouwbedrijfvos.nl\n"
        "\n"
        ";Schilders Jansen;piet@jansen.nl\n"
        "Piet Jansen;;piet@jansen.nl\n"
        "Piet Jansen;Schilders Jansen;piet@\n"
        "Kees;Installatie BV\n"
        "JAN;Bouwbedrijf Vos;JAN@bouwbedrijfvos.nl\n"
        '"Smit, Anna";"Smit & Zn";anna@smit.nl\n'
    )
    assert [(c.line, c.name, c.organisation, c.email) for c in parsed.contacts] == [
        (2, "Jan de Vos", "Bouwbedrijf Vos", "jan@bouwbedrijfvos.nl"),
        (9, "Smit, Anna", "Smit & Zn", "anna@smit.nl"),
    ]
    assert [(e.line, e.code) for e in parsed.errors] == [
        (4, "name_missing"),
        (5, "organisation_missing"),
        (6, "email_invalid"),
        (7, "columns"),
        (8, "duplicate"),
    ]
    assert parsed.errors[2].text == "Piet Jansen;Schilders Jansen;piet@"  # kept as typed


def test_a_fourth_field_says_the_language_to_mail_in() -> None:
    parsed = parse_contacts(
        "naam;organisatie;e-mail;taal\n"
        "Jan de Vos;Bouwbedrijf Vos;jan@vos.nl\n"
        "John Smith;Smith Ltd;john@smith.co.uk;en\n"
        "Anna Smit;Smit;anna@smit.nl;NL\n"
        "Kees;Installatie BV;kees@installatie.nl;fr\n"
        "Kees;Installatie BV;kees@installatie.nl;nl;extra\n"
    )
    assert [(c.email, c.locale) for c in parsed.contacts] == [
        ("jan@vos.nl", ""),
        ("john@smith.co.uk", "en-US"),
        ("anna@smit.nl", "nl-NL"),
    ]
    assert [(e.line, e.code) for e in parsed.errors] == [(5, "language_unknown"), (6, "columns")]
    john = parsed.contacts[1]
    contact = imported(None, john, "t", "officer", NOW)
    assert contact.locale == "en-US"
    # imported again without the field: the default language again, as the list now says
    assert imported(contact, replace(john, locale=""), "t", "o", NOW).locale == ""


def test_commas_and_tabs_work_too_and_a_header_is_optional() -> None:
    commas = parse_contacts("Jan de Vos,Bouwbedrijf Vos,jan@vos.nl\r\nAnna,Smit,anna@smit.nl")
    assert [c.email for c in commas.contacts] == ["jan@vos.nl", "anna@smit.nl"]
    tabs = parse_contacts("Name\tOrganisation\tEmail\nJan\tVos\tjan@vos.nl")
    assert [c.name for c in tabs.contacts] == ["Jan"] and not tabs.errors


def test_a_list_longer_than_one_import_says_so() -> None:
    text = "\n".join(f"P{i};Org;p{i}@org.nl" for i in range(MAX_LINES + 5))
    parsed = parse_contacts(text)
    assert parsed.too_many and len(parsed.contacts) == MAX_LINES


def test_one_contact_per_address_whatever_its_case() -> None:
    assert contact_key("Jan@Vos.nl ") == contact_key("jan@vos.nl")
    assert contact_key("jan@vos.nl") != contact_key("piet@vos.nl")
    assert "@" not in contact_key("jan@vos.nl")


def test_importing_again_keeps_whether_it_was_sent_and_confirmed() -> None:
    line = ContactLine(2, "Jan de Vos", "Bouwbedrijf Vos", "jan@vos.nl")
    first = imported(None, line, "t", "lotte", NOW)
    assert (first.id, first.sends, first.confirmed) == (contact_key("jan@vos.nl"), 0, False)
    confirmed = replace(first, sends=1, sent_at=NOW, confirmed_at=NOW)
    again = imported(confirmed, replace(line, organisation="Vos Bouw"), "t", "lotte", NOW)
    assert (again.organisation, again.sends, again.confirmed) == ("Vos Bouw", 1, True)


def test_the_summary_goes_to_the_unsent_and_a_reminder_to_the_unconfirmed() -> None:
    line = ContactLine(2, "A", "O", "a@o.nl")
    new = imported(None, line, "t", "lotte", NOW)
    sent = replace(new, id="b", sends=1, sent_at=NOW)
    failed = replace(new, id="c", send_error="ErrorInvalidRecipients")
    done = replace(new, id="d", sends=1, confirmed_at=NOW)
    everyone = [new, sent, failed, done]
    assert [c.id for c in due_for(everyone, reminder=False)] == [new.id, "c"]
    assert [c.id for c in due_for(everyone, reminder=True)] == ["b"]


def test_the_link_names_the_contact_is_signed_and_expires() -> None:
    token = link_token(SECRET, "tenant", "contact", NOW)
    days = timedelta(days=60)
    assert read_link(SECRET, token, days, NOW + timedelta(days=59)) == ("tenant", "contact")
    assert read_link(SECRET, token, days, NOW + timedelta(days=61)) == LinkRefused("expired")
    assert read_link("another-secret-of-at-least-thirty-two-chars", token, days, NOW) == (
        LinkRefused("invalid")
    )
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert read_link(SECRET, forged, days, NOW) == LinkRefused("invalid")
    assert read_link(SECRET, "", days, NOW) == LinkRefused("invalid")
    assert read_link("", token, days, NOW) == LinkRefused("invalid")


def test_a_short_link_secret_is_refused_at_start_up() -> None:
    import pytest

    from bot.settings import SettingsError, load_settings

    with pytest.raises(SettingsError, match="SUPPLIER_LINK_SECRET"):
        load_settings({"SUPPLIER_LINK_SECRET": "too-short"}, dotenv=None)
    assert (
        load_settings({"SUPPLIER_LINK_SECRET": SECRET}, dotenv=None).supplier_link_secret == SECRET
    )
    assert load_settings({}, dotenv=None).supplier_link_secret == ""
