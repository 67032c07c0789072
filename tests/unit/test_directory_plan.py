"""The directory sync's rules (bot.domain.directory.plan): what one round of deltas changes."""

from __future__ import annotations

from bot.domain.directory import (
    GroupsDelta,
    MemberChange,
    UserChange,
    UsersDelta,
    missing_roles,
    plan,
    roles_by_group,
)
from bot.domain.people import Person, Role

HR_GROUP = "9a000000-0000-4000-8000-000000000005"
PRIVACY_GROUP = "9A000000-0000-4000-8000-000000000003"  # case does not matter
GROUP_ROLES = roles_by_group({Role.HR: HR_GROUP, Role.PRIVACY_OFFICER: PRIVACY_GROUP})
ANNE = Person("a", "Anne", "anne@x", "HR", roles=frozenset({Role.HR}))
BRAM = Person("b", "Bram", roles=frozenset({Role.PRIVACY_OFFICER}))


def users(*changes: UserChange, full: bool = False) -> UsersDelta:
    return UsersDelta(changes, "link", full)


def groups(
    *members: MemberChange, full: bool = False, removed: frozenset[str] = frozenset()
) -> GroupsDelta:
    return GroupsDelta(members, "link", full, removed)


def test_a_changed_property_is_applied_and_the_others_kept() -> None:
    result = plan({"a": ANNE}, users(UserChange("a", department="Wonen")), groups(), GROUP_ROLES)
    [anne] = result.changed
    assert (anne.name, anne.email, anne.department, anne.roles) == (
        "Anne", "anne@x", "Wonen", frozenset({Role.HR})
    )  # fmt: skip
    assert result.departed == frozenset()


def test_a_disabled_or_removed_account_has_left() -> None:
    result = plan(
        {"a": ANNE, "b": BRAM},
        users(UserChange("a", enabled=False), UserChange("b", removed=True)),
        groups(),
        GROUP_ROLES,
    )
    assert result.departed == {"a", "b"}
    assert all(not p.active for p in result.changed)
    assert missing_roles(result.changed, (Role.HR, Role.PRIVACY_OFFICER)) == [
        Role.HR,
        Role.PRIVACY_OFFICER,
    ]


def test_someone_who_left_earlier_is_named_again_only_when_the_round_is_about_them() -> None:
    gone = Person("a", "Anne", active=False)
    again = plan({"a": gone}, users(UserChange("a", department="X")), groups(), GROUP_ROLES)
    assert again.departed == {"a"}  # a replayed round misses nobody's pending requests
    other = plan({"a": gone, "b": BRAM}, users(UserChange("b")), groups(), GROUP_ROLES)
    assert other.departed == frozenset()
    full = plan({"a": gone, "b": BRAM}, users(UserChange("b"), full=True), groups(), GROUP_ROLES)
    assert full.departed == frozenset()  # already gone before this full round


def test_a_full_round_deactivates_whoever_it_does_not_list() -> None:
    result = plan({"a": ANNE, "b": BRAM}, users(UserChange("a"), full=True), groups(), GROUP_ROLES)
    assert result.departed == {"b"}


def test_members_added_and_removed_change_exactly_their_groups_roles() -> None:
    result = plan(
        {"a": ANNE, "b": BRAM},
        users(),
        groups(MemberChange(HR_GROUP, "b", True), MemberChange(HR_GROUP.upper(), "a", False)),
        GROUP_ROLES,
    )
    by_id = {p.id: p for p in result.changed}
    assert by_id["a"].roles == frozenset()
    assert by_id["b"].roles == {Role.PRIVACY_OFFICER, Role.HR}


def test_a_full_groups_round_replaces_every_role() -> None:
    stale = Person("c", "Cees", roles=frozenset({Role.DIRECTOR}))  # e.g. from an earlier file
    result = plan(
        {"a": ANNE, "c": stale},
        users(),
        groups(MemberChange(PRIVACY_GROUP, "a", True), full=True),
        GROUP_ROLES,
    )
    by_id = {p.id: p for p in result.changed}
    assert by_id["a"].roles == {Role.PRIVACY_OFFICER}
    assert by_id["c"].roles == frozenset()


def test_a_deleted_group_takes_its_role_from_everyone() -> None:
    result = plan({"a": ANNE}, users(), groups(removed=frozenset({HR_GROUP})), GROUP_ROLES)
    [anne] = result.changed
    assert anne.roles == frozenset()


def test_one_group_may_serve_two_roles() -> None:
    both = roles_by_group({Role.PRIVACY_DEPUTY: HR_GROUP, Role.HR: HR_GROUP})
    result = plan({"b": BRAM}, users(), groups(MemberChange(HR_GROUP, "b", True)), both)
    [bram] = result.changed
    assert bram.roles == {Role.PRIVACY_OFFICER, Role.PRIVACY_DEPUTY, Role.HR}


def test_a_group_read_whole_holds_its_roles_for_exactly_its_users() -> None:
    """A role group with nested groups, read through transitiveMembers: who is in it gets its
    roles (also someone the users delta has not shown yet), whoever is not loses them; the
    roles of other groups stay."""
    carla = Person("c", "Carla", roles=frozenset({Role.HR, Role.PRIVACY_OFFICER}))
    result = plan(
        {"a": ANNE, "b": BRAM, "c": carla},
        users(),
        groups(MemberChange(HR_GROUP, "c", True)),  # the delta's word is overruled
        GROUP_ROLES,
        {HR_GROUP.upper(): frozenset({"b", "d"})},
    )
    by_id = {p.id: p for p in result.changed}
    assert by_id["a"].roles == frozenset()
    assert by_id["b"].roles == {Role.PRIVACY_OFFICER, Role.HR}
    assert by_id["c"].roles == {Role.PRIVACY_OFFICER}
    assert (by_id["d"].name, by_id["d"].roles) == ("", {Role.HR})  # known by id until shown


def test_without_groups_read_whole_the_members_delta_decides() -> None:
    members = groups(MemberChange(HR_GROUP, "b", True))
    assert plan({"b": BRAM}, users(), members, GROUP_ROLES, {}) == plan(
        {"b": BRAM}, users(), members, GROUP_ROLES
    )
