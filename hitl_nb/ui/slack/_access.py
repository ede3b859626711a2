"""Who is deciding, and may they: Slack user ids -> reviewer names, allowed users/groups.

Example::

    access = Access(reviewers={"U024BE7LH": "ana"}, allowed={"U024BE7LH", "S0REVIEWERS"})
    access.name({"id": "U024BE7LH", "username": "ana.k"})      # 'ana'
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ...model import ReviewRequest

Reviewers = Mapping[str, str] | Callable[[dict[str, Any]], str] | None
Allowed = Iterable[str] | Callable[[ReviewRequest], Iterable[str] | None] | None

logger = logging.getLogger("hitl_nb.slack")


class Access:
    """``reviewers`` maps Slack user ids to log names (or is a function of the payload's
    ``user``); ``allowed`` holds user ids (``U...``) and user group ids (``S...``), or is a
    function ``request -> ids | None``. None means anyone may decide."""

    def __init__(self, reviewers: Reviewers = None, allowed: Allowed = None) -> None:
        self.reviewers = reviewers
        self.allowed = allowed

    def name(self, user: dict[str, Any]) -> str:
        """The name written in the log for a Slack ``user`` (the payload's ``user`` object);
        unmapped users by their Slack user name."""
        uid = str(user.get("id") or "")
        if callable(self.reviewers):
            return str(self.reviewers(user))
        if self.reviewers and uid in self.reviewers:
            return self.reviewers[uid]
        return str(user.get("username") or user.get("name") or uid or "slack user")

    def may_decide(self, request: ReviewRequest, user: dict[str, Any], client: Any) -> bool:
        """True when ``user`` is allowed, directly or through a user group (read with
        ``usergroups.users.list`` at each check, so membership changes apply at once)."""
        ids = self.allowed(request) if callable(self.allowed) else self.allowed
        if ids is None:
            return True
        ids = set(ids)
        uid = user.get("id")
        if uid in ids or any(uid in self._group(g, client) for g in ids if g.startswith("S")):
            return True
        logger.info("slack user %s may not decide %s", uid, request.key)
        return False

    @staticmethod
    def _group(group: str, client: Any) -> set[str]:
        try:
            return set(client.usergroups_users_list(usergroup=group)["users"])
        except Exception as exc:  # a group we cannot read lets nobody in through it
            logger.warning("cannot read Slack user group %s: %s", group, exc)
            return set()
