"""Compatibility: the fake Slack API lives in `hitl_nb.ui.slack.testing`."""

from __future__ import annotations

from ..ui.slack.testing import FakeSlack, SlackUser, post_form, sign

__all__ = ["FakeSlack", "SlackUser", "post_form", "sign"]
