"""Ask Communicatie before posting about Woongroen, a tenant or a colleague (§5 Sociale media):
a small request that Communicatie answers (fine, adjust it, or better not)."""

from __future__ import annotations

from datetime import date

from bot.domain.people import Role
from bot.domain.social import ABOUT, CHOICES, SECTION, SocialPost, social_rule
from dialogs.forms import Field, Form, Reader
from dialogs.kinds import RegisterColumn, RequestKind, fact_rows

ABOUT_FIELD = Field("about", "choice", "social.about", "social.about_choices", required=True)
CHANNEL = Field(
    "channel", "text", "social.channel", placeholder="social.channel_placeholder", max_length=80
)
POST = Field("post", "multiline", "social.post", max_length=2000, required=True)

FORM = Form(
    title="social.title",
    intro="social.intro",
    fields=(ABOUT_FIELD, CHANNEL, POST),
    submit_verb="social.submit",
    submit_title="social.submit",
)


def read(form: Reader, today: date) -> SocialPost | None:
    about = form.choice(ABOUT_FIELD, ABOUT)
    channel = form.text(CHANNEL)
    post = form.text(POST)
    if form.errors:
        return None
    return SocialPost(about, channel, post)


def _communications(post: SocialPost) -> Role:
    return Role.COMMUNICATIONS


KIND = RequestKind(
    name="social",
    prefix="SOC",
    facts_type=SocialPost,
    from_record=SocialPost.from_record,
    rule=social_rule,
    form=FORM,
    read=read,
    card_rows=fact_rows(
        SocialPost,
        (
            ("social.facts.about", lambda p: p.about, "choice:social.about_choices"),
            ("social.facts.channel", lambda p: p.channel, "text"),
            ("social.facts.post", lambda p: p.post, "text"),
        ),
    ),
    columns=(
        RegisterColumn(
            "about", lambda p: p.about, "choice:social.about_choices", header="social.facts.about"
        ),
        RegisterColumn("channel", lambda p: p.channel, header="social.facts.channel"),
        RegisterColumn("post", lambda p: p.post, header="social.facts.post"),
    ),
    verdicts="social.verdicts",
    reasons="social.reasons",
    section=SECTION,
    statuses="social.statuses",
    choices=CHOICES,
    decider=_communications,
)
