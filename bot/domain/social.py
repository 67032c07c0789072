"""Posting about Woongroen, a tenant or a colleague on one's own social media (§5 Sociale
media): the same rules apply online; Communicatie coordinates, so one can ask it first."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.domain.choices import Choices
from bot.domain.kinds import Outcome
from bot.domain.records import string
from bot.domain.requests import Choice, Status

SECTION = "§5 Sociale media"
VERDICT = "ask_communications"
ABOUT = ("woongroen", "tenant", "colleague")

FINE = Choice("fine", Status.APPROVED, "positive")
ADJUST = Choice("adjust", Status.DECLINED, needs_comment=True)
NOT_POST = Choice("not_post", Status.DECLINED, "destructive", needs_comment=True)
CHOICES = Choices(by_verdict={VERDICT: (FINE, ADJUST, NOT_POST)})


@dataclass(frozen=True)
class SocialPost:
    """What the employee wants to post, where, and whom it is about."""

    about: str  # woongroen, tenant, colleague
    channel: str  # LinkedIn, Instagram ...
    post: str  # the text, or what the photo shows

    @property
    def summary(self) -> str:
        first = self.post.splitlines()[0] if self.post else ""
        return first[:80] + ("…" if len(first) > 80 else "")

    def to_record(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "about": self.about,
            "channel": self.channel,
            "post": self.post,
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> SocialPost:
        return cls(
            about=string(record, "about"),
            channel=string(record, "channel"),
            post=string(record, "post"),
        )


def social_rule(post: SocialPost) -> Outcome:
    """Communicatie looks first; about a tenant or a colleague, privacy and respect come first."""
    reasons = ["rules_apply_online"]
    if post.about in ("tenant", "colleague"):
        reasons.append("privacy_and_consent")
    reasons.append("communications_coordinates")
    return Outcome(VERDICT, tuple(reasons))
