"""Who may do what at a meeting. The meeting's members are the council as it stood when
the meeting was created (a later change of the council changes no meeting)."""

from __future__ import annotations

from typing import Any

from chalicelib.auth import COUNCIL_MEMBER, PROVINCE_ADMIN, Principal
from chalicelib.domain.errors import Forbidden, NotFound
from chalicelib.domain.meetings import Meeting
from chalicelib.storage import council_meetings as meeting_store


def load(meeting_id: str) -> Meeting:
    meeting = meeting_store.get_meeting(meeting_id)
    if meeting is None:
        raise NotFound(f"No meeting {meeting_id!r}")
    return meeting


def seat(principal: Principal, meeting: Meeting) -> dict[str, Any] | None:
    """The caller's seat at the meeting, when they sign in as a council member on it."""
    if principal.role != COUNCIL_MEMBER:
        return None
    return meeting.member(principal.sub)


def check_secretary(principal: Principal, meeting: Meeting) -> None:
    """The council's secretary runs the meeting; the province admin may stand in."""
    if principal.role == PROVINCE_ADMIN:
        return
    member = seat(principal, meeting)
    if member is None or member.get("council_role") != "secretary":
        raise Forbidden(
            "Only the awards council's secretary (or a province admin) runs the meeting",
            code="not_secretary",
        )


def check_reader(principal: Principal, meeting: Meeting) -> None:
    """Province roles and the meeting's members read it."""
    if principal.province_wide or seat(principal, meeting) is not None:
        return
    raise Forbidden("Only province roles and the council's members see the meeting")


def actor(principal: Principal) -> dict[str, Any]:
    return {"sub": principal.sub, "role": principal.role, "unit_id": principal.unit_id}
