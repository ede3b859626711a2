"""`RiskPolicy`: when a human is needed — always, on uncertainty, or never.

Tiers (the ``tier`` of the `Risk` that ``assess`` returns):

- ``"always"``: review every time (irreversible or wide-impact tools, argument predicates);
- ``"uncertain"``: review because something is unsure (low confidence, the agent's own
  uncertainty notes, arguments unlike anything approved before, a schema violation);
- ``"never"``: no review: read-only or reversible tools, tools whose human approval rate
  is safely high (Wilson lower bound), or a remembered "always allow/reject".

The first tier in ``precedence`` (default always > uncertain > never) with a matching
rule wins; ``default`` applies when nothing matches.

Example::

    policy = hitl_nb.RiskPolicy(
        irreversible=["delete_*"], read_only=["search_*"],
        always=[Rule("pay_invoice", arg("amount") > 1000)],
        history=SafeHistory(min_decisions=20, above=0.8), log="hitl.db")
    policy.assess("delete_records", {"table": "users"})
    # Risk(tier='always', score=1.0, reasons=('delete_records is irreversible',))
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from ..formats import check_against_schema
from ..model import Decision, InvalidResponse, ReviewRequest, Risk
from ..store.log import DecisionLog
from .budget import Triage, check_budget
from .choices import Memory, Remembered
from .history import AUTOMATIC_PREFIX, History, SafeHistory, wilson_interval, wilson_lower_bound
from .rules import Condition, Rule, arg, matches
from .verdict import ALWAYS, NEVER, TIERS, UNCERTAIN, Verdict

__all__ = ["ALWAYS", "NEVER", "TIERS", "UNCERTAIN", "Condition", "Remembered", "RiskPolicy",
           "Rule", "SafeHistory", "Triage", "Verdict", "arg", "wilson_interval",
           "wilson_lower_bound"]


def _rules(items: Iterable[str | Rule]) -> tuple[Rule, ...]:
    out = []
    for item in items:
        if isinstance(item, str):
            out.append(Rule(item))
        elif isinstance(item, Rule):
            out.append(item)
        else:
            raise TypeError(f"a rule is a tool glob (str) or a Rule, got {type(item).__name__}")
    return tuple(out)


def _as_log(log: DecisionLog | str | os.PathLike[str] | None) -> DecisionLog | None:
    return log if log is None or isinstance(log, DecisionLog) else DecisionLog(log)


class RiskPolicy:
    """Rules deciding when a human must review an action (see the module docstring).

    Tool names below are globs (``"delete_*"``); a `Rule` adds a predicate on arguments.

    - ``irreversible``: tools reviewed every time (tier ``always``, score 1).
    - ``always``: tool globs or `Rule` objects reviewed every time.
    - ``read_only`` / ``reversible``: tools never reviewed (tier ``never``).
    - ``never``: tool globs or `Rule` objects never reviewed.
    - ``min_confidence``: below this agent confidence (0..1) a review is needed (None: off).
    - ``uncertainty_notes``: the agent's own uncertainty notes make it ``uncertain``.
    - ``unexpected_input``: after this many approvals of a tool, arguments unlike all of
      them make it ``uncertain`` (None or 0: off).
    - ``schemas``: tool -> JSON schema of its arguments; a violation makes it ``uncertain``.
    - ``history``: a `SafeHistory`: stop reviewing a tool whose approval rate is safely high.
    - ``default``: the tier when no rule matches (``"uncertain"``).
    - ``precedence``: the order in which tiers win when several match (all three tiers).
    - ``log``: a `DecisionLog` or its path/URL; it supplies history, keeps persisted
      remembered choices and receives automatic decisions (without it history is empty
      and automatic decisions are not recorded).
    - ``name``: the policy's name in the log (remembered choices are kept per name).
    - ``budget``: reviews per hour a team can do (None: unlimited); `triage` sends the
      riskiest to review and the rest to ``overflow``: ``"wait"``, ``"reject"`` or
      ``"approve"``.

    Raises `TypeError` for a rule that is neither a glob nor a `Rule`, and `ValueError`
    for ``min_confidence`` outside 0..1, an unknown ``default``, a ``precedence`` that
    does not order the three tiers, a ``budget`` below 1 or an unknown ``overflow``.

    Example::

        policy = hitl_nb.RiskPolicy(
            irreversible=["delete_*"], read_only=["search_*"],
            always=[hitl_nb.Rule("pay_invoice", hitl_nb.arg("amount") > 1000)],
            history=hitl_nb.SafeHistory(min_decisions=20, above=0.8), log="hitl.db")
        hitl_nb.review(graph, inputs, policy=policy)
    """

    def __init__(
        self,
        *,
        irreversible: Iterable[str] = (),
        always: Iterable[str | Rule] = (),
        read_only: Iterable[str] = (),
        reversible: Iterable[str] = (),
        never: Iterable[str | Rule] = (),
        min_confidence: float | None = 0.7,
        uncertainty_notes: bool = True,
        unexpected_input: int | None = 3,
        schemas: Mapping[str, Mapping[str, Any]] | None = None,
        history: SafeHistory | None = None,
        default: str = UNCERTAIN,
        precedence: Iterable[str] = TIERS,
        log: DecisionLog | str | os.PathLike[str] | None = None,
        name: str = "default",
        budget: float | None = None,
        overflow: str = "wait",
    ) -> None:
        self.irreversible = tuple(irreversible)
        self.always = _rules(always)
        self.read_only = tuple(read_only)
        self.reversible = tuple(reversible)
        self.never = _rules(never)
        if min_confidence is not None and not 0 <= min_confidence <= 1:
            raise ValueError(f"min_confidence must be between 0 and 1, got {min_confidence}")
        self.min_confidence = min_confidence
        self.uncertainty_notes = uncertainty_notes
        self.unexpected_input = unexpected_input or None
        self.schemas = dict(schemas or {})
        self.history = history
        if default not in TIERS:
            raise ValueError(f"default must be one of {TIERS}, got {default!r}")
        self.default = default
        self.precedence = tuple(precedence)
        if sorted(self.precedence) != sorted(TIERS):
            raise ValueError(f"precedence must order all of {TIERS}, got {self.precedence}")
        self.log = _as_log(log)
        self.name = name
        self.memory = Memory(name, self.log)
        check_budget(budget, overflow)
        self.budget = budget
        self.overflow = overflow

    # -- the verdict ----------------------------------------------------------------------
    def assess(self, action: str, args: Any = None, confidence: float | None = None,
               context: Mapping[str, Any] | None = None) -> Risk:
        """The `Risk` of ``action(args)``: tier, score in [0, 1] and human-sentence reasons.

        ``context`` may carry ``uncertainty`` (the agent's notes) and ``args_schema``.
        Raises `ValueError` for a ``confidence`` outside 0..1.

        Example::

            policy.assess("pay_invoice", {"amount": 5000}).tier    # "always"
        """
        return self.verdict(action, args, confidence, context).risk

    def verdict(self, action: str, args: Any = None, confidence: float | None = None,
                context: Mapping[str, Any] | None = None, *,
                history: History | None = None, remembered: bool = True) -> Verdict:
        """`assess` plus the automatic decision, if any (``history`` defaults to the log's).
        Raises `ValueError` for a ``confidence`` outside 0..1."""
        if confidence is not None and not 0 <= confidence <= 1:
            raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
        args = {} if args is None else args
        context = context or {}
        history = history if history is not None else self.history_of(action)
        found: dict[str, list[tuple[str, float, str]]] = {t: [] for t in TIERS}
        notes: list[str] = []
        for pattern in self.irreversible:
            if matches(action, pattern):
                found[ALWAYS].append(("irreversible", 1.0, f"{action} is irreversible"))
                break
        for rule in self.always:
            if reason := rule.match(action, args):
                found[ALWAYS].append(("always", 1.0, reason))
        choice = self.memory.choice(action) if remembered else None
        if choice is not None and choice.choice == "reject":
            return Verdict(Risk(NEVER, 1.0, (f"always rejected: {choice}",)),
                           "remembered-reject", "reject")
        if choice is not None and not found[ALWAYS]:
            return Verdict(Risk(NEVER, 0.0, (f"always allowed: {choice}",)),
                           "remembered-allow", "approve")
        if choice is not None:
            notes.append(f"the remembered choice ({choice}) does not override an always rule")
        found[UNCERTAIN] += self._uncertain(action, args, confidence, context, history)
        never, history_note = self._never(action, args, history)
        found[NEVER] += never
        for tier in self.precedence:
            if found[tier]:
                break
        else:
            tier = self.default
            notes = [f"no rule covers {action} (default tier: {tier})",
                     *([history_note] if history_note else []), *notes]
            score = {ALWAYS: 1.0, UNCERTAIN: 0.5, NEVER: 0.0}[tier]
            return Verdict(Risk(tier, score, tuple(notes)), "default",
                           "approve" if tier == NEVER else None)
        winners = found[tier]
        overruled = [f"overruled: {r}" for t in TIERS if t != tier for _, _, r in found[t]]
        reasons = (*(r for _, _, r in winners), *overruled, *notes)
        score = round(max(s for _, s, _ in winners), 4)
        return Verdict(Risk(tier, score, reasons), winners[0][0],
                       "approve" if tier == NEVER else None)

    def _uncertain(self, action: str, args: Any, confidence: float | None,
                   context: Mapping[str, Any], history: History) -> list[tuple[str, float, str]]:
        out = []
        if confidence is not None and self.min_confidence is not None \
                and confidence < self.min_confidence:
            out.append(("confidence", round(1 - confidence, 4),
                        f"confidence {confidence:.2f} below {self.min_confidence:g}"))
        notes = context.get("uncertainty") or []
        if self.uncertainty_notes:
            for note in [notes] if isinstance(notes, str) else notes:
                out.append(("uncertainty-note", 0.5, f"the agent is unsure: {note}"))
        schema = self.schemas.get(action) or context.get("args_schema")
        if schema:
            try:
                check_against_schema(args, schema, f"{action} arguments")
            except InvalidResponse as exc:
                out.append(("schema", 0.7, str(exc)))
        if self.unexpected_input:
            seen = history.seen(action)
            if seen.examples >= self.unexpected_input:
                out += [("unexpected-input", 0.6, s) for s in seen.surprises(action, args)]
        return out

    def _never(self, action: str, args: Any,
               history: History) -> tuple[list[tuple[str, float, str]], str | None]:
        out = []
        if any(matches(action, p) for p in self.read_only):
            out.append(("read-only", 0.0, f"{action} is read-only"))
        if any(matches(action, p) for p in self.reversible):
            out.append(("reversible", 0.1, f"{action} is reversible"))
        for rule in self.never:
            if reason := rule.match(action, args):
                out.append(("never", 0.1, reason))
        note = None
        if self.history is not None:
            approved, total = history.counts(action, args)
            lb = wilson_lower_bound(approved, total, self.history.z)
            digits = 3 if round(lb, 2) == round(self.history.above, 2) else 2
            text = f"approved {approved}/{total} times (lower bound {lb:.{digits}f})"
            if total >= self.history.min_decisions and lb > self.history.above:
                out.append(("history", round(1 - lb, 4), text))
            elif total:
                need = f"needs {self.history.min_decisions} decisions" \
                    if total < self.history.min_decisions else f"needs above {self.history.above:g}"
                note = f"{text}; not yet safe: {need}"
        return out, note

    def history_of(self, action: str) -> History:
        """This tool's human decisions, read from the log (empty without a log)."""
        history = History(self.history.by if self.history else None)
        if self.log is None:
            return history
        for args, decision, reviewer, edited in self.log.decisions_on(
                action, excluding=[AUTOMATIC_PREFIX]):
            history.add(action, args, decision, reviewer, edited)
        return history

    # -- remembered choices ---------------------------------------------------------------
    def remember(self, tool: str, choice: str, *, persist: bool = False,
                 reviewer: str = "") -> Remembered:
        """Always ``"allow"`` or ``"reject"`` ``tool`` from now on: for this session, or with
        ``persist=True`` in the log's database (every process using it). Raises
        `ValueError` for another ``choice``, an empty ``tool``, or ``persist=True``
        without a log."""
        return self.memory.remember(tool, choice, persist=persist, reviewer=reviewer)

    def remembered(self) -> list[Remembered]:
        """The remembered choices (this session's and the persisted ones)."""
        return self.memory.all()

    def forget(self, tool: str | None = None) -> int:
        """Revoke the remembered choice for ``tool`` (every tool when None); how many."""
        return self.memory.forget(tool)

    def remembered_decision(self, request: ReviewRequest) -> Decision | None:
        """The automatic decision a remembered choice makes for ``request`` (when the
        request allows it), else None. `hitl_nb.review(..., policy=...)` applies these.
        Never for a request that needs several approvals (M-of-N): one remembered click
        must not stand in for the distinct reviewers its quorum asks for."""
        if request.approvals > 1 or self.memory.choice(request.action) is None:
            return None
        verdict = self.verdict(request.action, request.args, request.confidence,
                               {"uncertainty": request.uncertainty}, history=History())
        if not verdict.rule.startswith("remembered-") or verdict.decision not in request.allowed:
            return None
        return Decision(verdict.decision, reviewer=verdict.reviewer,
                        comment="; ".join(verdict.risk.reasons))

    # -- bridges and back-test (their own modules) ----------------------------------------
    def interrupt_on(self, tools: Iterable[Any], **kwargs: Any) -> dict[str, dict[str, Any]]:
        """``interrupt_on`` for LangChain's ``HumanInTheLoopMiddleware``: see `_bridge`."""
        from .bridge import interrupt_on

        return interrupt_on(self, tools, **kwargs)

    def backtest(self, log_or_df: Any, budgets: Iterable[float] | None = None,
                 overflow: str | None = None) -> Any:
        """Replay the log's human-decided requests through this policy: see `_backtest`.

        With ``budgets`` (reviews per hour, e.g. ``[5, 10, 20]``): a `BudgetCurve`, the
        reviews asked against misses (or rejections, or waiting) under each budget, the
        overflow handled as ``overflow`` (default: this policy's); ``.plot()`` draws it.
        """
        from .backtest import backtest, budget_curve

        if budgets is not None:
            return budget_curve(self, log_or_df, budgets, overflow)
        return backtest(self, log_or_df)

    def suggest(self, log_or_df: Any, **thresholds: Any) -> Any:
        """Rules suggested from a log's (or a frame's) human decisions on top of this
        policy, with evidence and both back-tests: see `hitl_nb.policy.suggest`."""
        from .backtest import frame_of
        from .suggest import suggest_policy

        return suggest_policy(frame_of(log_or_df), self, **thresholds)

    # -- review budget (its own module: `hitl_nb.policy.budget`) --------------------------------
    def triage(self, requests: Iterable[ReviewRequest], *,
               reviewed_last_hour: int | None = None, now: datetime | None = None) -> Triage:
        """Split the ``requests`` that need a human under the review budget: the riskiest
        go to review while the hour's budget lasts, the rest overflow (`Triage.decision`
        says what they get: None to wait, or ``"reject"``/``"approve"``).

        ``reviewed_last_hour`` defaults to the human decisions the log holds from the hour
        before ``now`` (0 without a log). Without a budget every one goes to review.
        """
        from .budget import triage

        return triage(self, requests, reviewed_last_hour, now)

    def __repr__(self) -> str:
        always = [f"{p} (irreversible)" for p in self.irreversible] + [repr(r) for r in self.always]
        uncertain = []
        if self.min_confidence is not None:
            uncertain.append(f"confidence < {self.min_confidence:g}")
        if self.uncertainty_notes:
            uncertain.append("uncertainty notes")
        if self.unexpected_input:
            uncertain.append(f"unexpected input (after {self.unexpected_input} approvals)")
        uncertain += [f"{tool} schema" for tool in self.schemas]
        never = [f"{p} (read-only)" for p in self.read_only] + \
            [f"{p} (reversible)" for p in self.reversible] + [repr(r) for r in self.never]
        if self.history is not None:
            never.append(f"history: {self.history!r}")
        memory = [str(r) for r in self.remembered()]
        budget = f"{self.budget:g} reviews/hour, overflow: {self.overflow}" \
            if self.budget is not None else "none"
        lines = [f"RiskPolicy({self.name!r}",
                 f"  always:    {', '.join(always) or '-'}",
                 f"  uncertain: {', '.join(uncertain) or '-'}",
                 f"  never:     {', '.join(never) or '-'}",
                 f"  default: {self.default}; precedence: {' > '.join(self.precedence)}",
                 f"  remembered: {', '.join(memory) or '-'}",
                 f"  budget: {budget}",
                 f"  log: {self.log!r})" if self.log is not None else
                 "  log: none (automatic decisions are not recorded))"]
        return "\n".join(lines)
