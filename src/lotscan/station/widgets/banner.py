"""The full-width verdict banner: the level in large letters, the reason, the next action."""

from __future__ import annotations

from rich.text import Text

from lotscan.domain.reasons import ReasonCode
from lotscan.domain.verdict import Level, Verdict
from lotscan.station.widgets.bigtext import big
from lotscan.station.widgets.fixed import FixedStatic
from lotscan.station.wording import ALARM_STATUSES, looked_up_status, reason_codes, unrecorded, verdict_word

LEVEL_CLASSES = {Level.ACCEPTED: "-accepted", Level.WARNING: "-warning", Level.REJECTED: "-rejected"}
NOTICE_CLASS = "-notice"
IDLE_CLASS = "-idle"
UNRECORDED_CLASS = "-unrecorded"
KIND_CLASSES = frozenset({IDLE_CLASS, NOTICE_CLASS, UNRECORDED_CLASS, *LEVEL_CLASSES.values()})


def kind_class(verdict: Verdict) -> str:
    if looked_up_status(verdict) in ALARM_STATUSES:
        return LEVEL_CLASSES[Level.REJECTED]  # a recalled lot is an alarm, looked up or not
    return UNRECORDED_CLASS if unrecorded(verdict) else LEVEL_CLASSES[verdict.level]


def verdict_text(verdict: Verdict, *, large: bool, notice: bool = False, compact: bool = False) -> Text:
    """The banner's text: the level (block letters when large), the reason codes, the
    sentence. A notice (a command, a badge, a task chosen) has no level word: it judges nothing.
    Compact (a handheld): of the other reasons only those as grave as the verdict are told; a
    lesser one (a warning under a refusal) is named on one "Also:" line, so it does not push the
    next action out of the banner."""
    text = Text()
    codes = " ".join(reason_codes(verdict))
    if notice:
        text.append(verdict.message, style="bold")
        return text
    if large:
        text.append("\n".join(big(verdict_word(verdict))) + "\n", style="bold")
        if codes:
            text.append(f" {codes} ", style="bold reverse")
            text.append(" ")
    else:
        text.append(f" {verdict_word(verdict)}{' ' + codes if codes else ''} ", style="bold reverse")
        text.append(" ")
    text.append(verdict.message, style="bold")
    # The first reason is the message, unless it is a lesser one (a stock warning before the
    # refusal the message says): that one is shown too (tester's #15c).
    said = 1 if verdict.reasons and verdict.reasons[0].level is verdict.level else 0
    lesser = [r.code for r in verdict.reasons[said:] if r.level is not verdict.level]
    if verdict.other_lot is not None:  # NOT_FEFO's advice is the "Take lot" line below
        lesser = [code for code in lesser if code != ReasonCode.NOT_FEFO.value]
    for reason in verdict.reasons[said:]:
        if compact and reason.level is not verdict.level:
            continue
        if reason.message not in verdict.message:
            # Compact: the code is in the header already; its sentence needs the room (#15a).
            text.append(f"\n{reason.message}" if compact else f"\n{reason.code}: {reason.message}")
    if compact and lesser:
        # A warning under a refusal is named, not told: its sentence would push the refusal's
        # next action off a handheld (#15a), but the operator learns of it before answering
        # the refusal (tester tz2, A9: another supplier's lot under QTY_NEEDED went unsaid).
        text.append(f"\nAlso: {', '.join(dict.fromkeys(lesser))}.")
    if verdict.other_lot is not None:
        s = verdict.other_lot
        qty = f", {s.quantity:g} there" if s.quantity is not None else ""
        text.append(f"\nTake lot {s.lot_code} at {s.location or '?'}{qty}.", style="bold")
    return text


class VerdictBanner(FixedStatic):
    """Shows the last verdict; `idle` text before the first scan. Its height is the app's
    (`lotscan.station.rows`): the whole verdict first, a colour block when rows are left."""

    DEFAULT_CLASSES = IDLE_CLASS

    def __init__(self, idle: str, **kwargs: object) -> None:
        super().__init__(idle, **kwargs)  # type: ignore[arg-type]
        self.verdict: Verdict | None = None
        self.large = False
        self.notice = False
        self.updates = 0
        # On a handheld a warning beside a refusal is left out: the refusal's next action
        # needs the rows (tester's #15a).
        self.compact = False

    def show(self, verdict: Verdict, *, notice: bool = False) -> None:
        self.verdict = verdict
        self.notice = notice and verdict.level is not Level.REJECTED
        self._kind(NOTICE_CLASS if self.notice else kind_class(verdict))
        self.set_text(verdict_text(verdict, large=self.large, notice=self.notice, compact=self.compact))
        self.updates += 1

    def show_idle(self, text: str) -> None:
        self.verdict = None
        self._kind(IDLE_CLASS)
        self.set_text(text)

    def _kind(self, wanted: str) -> None:
        """One restyle, and only when the kind changes: each class added or removed restyles
        the banner at once, and a run of accepted scans keeps the same one."""
        if self.classes & KIND_CLASSES == {wanted}:
            return
        self.remove_class(*(KIND_CLASSES - {wanted}), update=False)
        self.add_class(wanted, update=False)
        self.update_node_styles()

    def set_form(self, *, large: bool, compact: bool) -> None:
        """Block letters (80x24 and larger) or not; compact (a handheld) or not."""
        if (large, compact) != (self.large, self.compact):
            self.large, self.compact = large, compact
            if self.verdict is not None:
                self.set_text(verdict_text(self.verdict, large=large, notice=self.notice, compact=compact))
