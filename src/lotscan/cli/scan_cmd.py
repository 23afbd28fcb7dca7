"""`lotscan scan`: judge scans against the local cache, headless, and record accepted ones."""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import dataclass, replace
from typing import IO

import click

from lotscan.cli.common import (
    Quantity,
    cache_to_work_on,
    detail_lines,
    open_station_cache,
    plain_text,
    station_options,
    unescape,
)
from lotscan.codes.internal import strip_internal_prefix
from lotscan.codes.scan import Scan, ScanKind, Source
from lotscan.domain.events import reason_too_long
from lotscan.domain.reasons import ReasonCode, code_name, sentence
from lotscan.domain.status import LotStatus
from lotscan.domain.verdict import Level, Reason, Verdict
from lotscan.services.batch import BatchUpload, LineVerdict, Standing
from lotscan.services.checks import STATUS_REASONS
from lotscan.services.context import ScanContext, Workflow
from lotscan.services.lost_separator import lost_separator
from lotscan.services.session import TASK_WORKFLOWS, StationSession
from lotscan.services.station import Operator, StationService
from lotscan.settings import StationSettings
from lotscan.station.wording import (
    ALARM_STATUSES,
    UNRECORDED_WORD,
    looked_up_status,
    unrecorded,
    verdict_word,
)

WORKFLOWS = [w.value for w in Workflow]


def _strip_prefix(value: str | None, settings: StationSettings, kind: set[str]) -> str | None:
    return None if value is None else strip_internal_prefix(value, settings.internal_prefixes, kind)


@click.command()
@click.argument("data", required=False)
@click.option(
    "-w",
    "--workflow",
    required=True,
    type=click.Choice(WORKFLOWS, case_sensitive=False),
    help="What the scan is for.",
)
@click.option(
    "--task", callback=plain_text, help="ASN/PO, work order, pick list or shipment code (e.g. ASN-1001)."
)
@click.option(
    "--location",
    callback=plain_text,
    help="Where you are: receiving dock, pick/consume source, count location.",
)
@click.option("--to", "to_location", callback=plain_text, help="Move: the location to move the lot to.")
@click.option(
    "--qty",
    type=Quantity(),
    help="Quantity in the item's unit (default: from the label, else from the task). Receive: "
    "trade units of an item with a pack size (38 = 38 SACK = 950 KG). Produce: the quantity made (asked).",
)
@click.option(
    "--operator",
    envvar="LOTSCAN_OPERATOR",
    callback=plain_text,
    help="Badge of who scanned (or $LOTSCAN_OPERATOR).",
)
@click.option(
    "--pin",
    envvar="LOTSCAN_PIN",
    help="PIN of --operator, when they have one or require_pin is set (or $LOTSCAN_PIN).",
)
@click.option("--override", callback=plain_text, help="Override reason code for an overridable refusal.")
@click.option(
    "--approved-by",
    callback=plain_text,
    help="Badge of the supervisor approving --override (default: --operator, if a supervisor).",
)
@click.option("--approver-pin", help="PIN of the --approved-by supervisor, when they have one.")
@click.option("--reason", callback=plain_text, help="Reason text for hold, release or quarantine.")
@click.option("--source", type=click.Choice([s.value for s in Source]), default="keyboard", show_default=True)
@click.option("--file", "batch", type=click.File("rb"), help="Batch upload: one scan per line ('-' = stdin).")
@click.option(
    "--confirm",
    is_flag=True,
    help="A label that lost a GS separator (SUSPICIOUS_LOT): record it as the station reads it.",
)
@click.option(
    "--as-scanned",
    is_flag=True,
    help="A label taken for one that lost a GS separator (SUSPICIOUS_LOT) really carries the lot "
    "as scanned: record it so, flagged.",
)
@click.option("--dry-run", is_flag=True, help="Judge only; record nothing.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@station_options
def scan(
    data: str | None,
    workflow: str,
    task: str | None,
    location: str | None,
    to_location: str | None,
    qty: float | None,
    operator: str | None,
    pin: str | None,
    override: str | None,
    approved_by: str | None,
    approver_pin: str | None,
    reason: str | None,
    source: str,
    batch: IO[bytes] | None,
    confirm: bool,
    as_scanned: bool,
    dry_run: bool,
    as_json: bool,
    settings: StationSettings,
) -> None:
    """Judge DATA against the station cache; record it when accepted.

    DATA is what the scanner sent; \\x1d stands for the GS separator, and the
    bracketed form (01)...(10)... works too. Without --db or a configured cache, the
    demo cache is used once `lotscan demo` has made it.
    A lot that probably swallowed the next element (a lost GS separator) is refused,
    showing what the label probably says; --confirm records that reading, --as-scanned
    the lot as scanned when the label really says so (both flagged SUSPICIOUS_LOT).
    A produce asks for the quantity made, the order's planned quantity suggested; without a
    terminal to ask on, give it with --qty.
    A --file upload (a batch scanner's, one scan per line) is judged as the station judges
    the same scans in that order: a location line (LOC:...) sets where the lots after it are
    taken from (in move: before the lot its source, after it its destination), an order line
    chooses the task, and the GTIN barcode and the lot barcode of a split label on adjacent
    lines are one label (a file carries no scan times: the next label line pairs, however late).
    Exit status: 0 ACCEPTED or WARNING (recorded) or NOT RECORDED (a lookup), 1 REJECTED, 2 usage
    error.

    \b
    Examples:
      lotscan scan '(01)09521234001348(10)FG3526E' -w pick --task PL-4001 --operator 1003
      lotscan scan 'LOC:RM-A01' -w lookup
      lotscan scan '(01)19521234001017(10)FLO9313B' -w lookup --json
      printf '(01)09521234001348(10)FG3526E\\n' | lotscan scan --file - -w lookup
    """
    if (data is None) == (batch is None):
        raise click.UsageError("give either DATA or --file")
    if confirm and as_scanned:
        raise click.UsageError(
            "give --confirm (the label says what the station guessed) or --as-scanned, not both"
        )
    if reason is not None and (too_long := reason_too_long(reason)) is not None:  # tester W12
        raise click.BadParameter(too_long, param_hint="--reason")
    settings = cache_to_work_on(settings)
    engine = open_station_cache(settings, to_judge=True)
    if batch is not None:
        settings = replace(settings, policy=replace(settings.policy, duplicate_window_s=0.0))
    service = StationService(engine, settings)
    signed_in = _signed_in(service, _strip_prefix(operator, settings, {"operator"}), pin)
    ctx = ScanContext(
        Workflow(workflow.lower()),
        operator=signed_in.badge if signed_in else None,
        task=_strip_prefix(task, settings, {"asn", "po", "work_order", "pick_list", "shipment"}),
        location=_strip_prefix(location, settings, {"location"}),
        to_location=_strip_prefix(to_location, settings, {"location"}),
        qty=qty,
        override=override,
        override_by=_approver(service, _strip_prefix(approved_by, settings, {"operator"}), approver_pin),
        reason=reason,
    )
    if Workflow(workflow.lower()) is Workflow.PRODUCE and qty is None and not dry_run:
        ctx = _quantity_made(service, ctx, None if batch is not None else data or "", Source(source))
    judge = Judge(service, ctx, Source(source), confirm=confirm, as_scanned=as_scanned, dry_run=dry_run)
    if batch is None:
        verdict = judge(data or "")
        _print(verdict, as_json)
        sys.exit(1 if verdict.level is Level.REJECTED else 0)
    if ctx.workflow is Workflow.PRODUCE:  # the station produces on a command, not a scan: line by line
        _run_batch(_OneByOne(judge), batch, as_json)
        return
    session = StationSession(service, ctx.workflow, signed_in, ctx.task, ctx.location, dry_run=dry_run)
    standing = Standing(
        qty=ctx.qty,
        override=ctx.override,
        override_by=ctx.override_by,
        reason=ctx.reason,
        to_location=ctx.to_location,
        confirmed_by=f"operator {ctx.operator} (--confirm)" if confirm else None,
        as_scanned_by=f"operator {ctx.operator} (--as-scanned)" if as_scanned else None,
    )
    _run_batch(BatchUpload(session, standing, Source(source), read=unescape), batch, as_json)


@dataclass(frozen=True)
class Judge:
    """One scan line judged (and recorded unless a dry run) as the station would: a label that
    lost a GS separator is refused with what it probably says, unless --confirm takes that or
    --as-scanned says the label carries the lot as scanned."""

    service: StationService
    ctx: ScanContext
    source: Source
    confirm: bool
    as_scanned: bool
    dry_run: bool

    def __call__(self, line: str) -> Verdict:
        scanned = self.service.interpret(unescape(line), source=self.source)
        asked = lost_separator(
            self.service,
            scanned,
            self.ctx,
            confirm="run it again with --confirm",
            as_scanned="run it again with --as-scanned",
        )
        if asked is None:
            verdict = self.service.handle(scanned, self.ctx, dry_run=self.dry_run)
            return _status_said(self._code_given_by_option(scanned, verdict))
        if self.as_scanned:  # the label's lot really is as scanned (tester tz, Z10)
            taken = asked.as_scanned_by(f"operator {self.ctx.operator} (--as-scanned)")
            return self.service.handle(taken, self.ctx, dry_run=self.dry_run)
        if asked.reading is None:  # refused anyway: nothing to confirm
            return asked.verdict
        if not self.confirm:
            question = asked.verdict
            reasons = tuple(replace(r, level=Level.REJECTED) for r in question.reasons)
            return replace(question, level=Level.REJECTED, reasons=reasons)
        # Recorded as what happened (tester W5): the raw as scanned, the confirmation a warning.
        confirmed = asked.confirmed_by(f"operator {self.ctx.operator} (--confirm)")
        return self.service.handle(confirmed, self.ctx, dry_run=self.dry_run)

    def _code_given_by_option(self, scanned: Scan, verdict: Verdict) -> Verdict:
        """A task or location barcode given as DATA: in the station app it chooses the task or
        sets the place; a one-shot scan does neither, so the refusal names the option to give."""
        if scanned.internal is None or scanned.errors or verdict.level is not Level.REJECTED:
            return verdict
        if scanned.kind is ScanKind.ORDER:
            return self._task_given_by_option(scanned, verdict)
        if scanned.kind is ScanKind.LOCATION and self.ctx.workflow is not Workflow.LOOKUP:
            return self._location_given_by_option(scanned, verdict)
        return verdict

    def _task_given_by_option(self, scanned: Scan, verdict: Verdict) -> Verdict:
        """Tester U19: `lotscan scan 'SHP:SHP-5001' -w ship` was told "Choose the shipment first
        (scan its barcode or give --task)" though its barcode was what was scanned: a one-shot
        scan chooses no task, so it names the option to give, with the task's code. A task of
        another workflow (`WO:WO-3001 -w count`) names the workflow it is for (tester tz, Z5:
        "Scan the location you are counting first: ... give --task WO-3001")."""
        task = scanned.internal
        if task is None or self.ctx.task:
            return verdict
        missing = [r for r in verdict.reasons if r.code == ReasonCode.MISSING_CONTEXT]
        if not missing:
            return verdict
        workflow = self.ctx.workflow
        chooses = TASK_WORKFLOWS.get(task.type)
        if chooses is None:
            return verdict
        if chooses is workflow or (workflow is Workflow.PRODUCE and task.type == "work_order"):
            first = missing[0].message.split(" (", 1)[0].rstrip(".")  # "Choose the shipment first"
            said = Reason(
                ReasonCode.MISSING_CONTEXT.value,
                f"{first}: on the command line give --task {task.value} with the label to scan "
                f"(its barcode {scanned.raw} chooses it only in the station app).",
            )
        else:
            hint = (
                f"To {chooses.value} on {task.value}, give -w {chooses.value} --task {task.value} with "
                f"the label to scan (its barcode {scanned.raw} chooses it only in the station app)."
            )
            facts = {"kind": code_name(task.type), "workflow": workflow.value, "hint": hint}
            said = Reason(ReasonCode.WRONG_SCAN_TYPE.value, sentence(ReasonCode.WRONG_SCAN_TYPE, **facts))
        return _said_instead(verdict, missing[0], said)

    def _location_given_by_option(self, scanned: Scan, verdict: Verdict) -> Verdict:
        """Tester tz, Z5: `lotscan scan LOC:RM-A07 -w count` was told "Scan the location you are
        counting first" (it just did), and LOC:NOPE the same though NOPE is no place here: the
        station app sets the place a location barcode names, a one-shot scan takes --location."""
        assert scanned.internal is not None
        code = scanned.internal.value
        counting_nowhere = self.ctx.workflow is Workflow.COUNT and not self.ctx.location
        instead = [
            r
            for r in verdict.reasons
            if r.code == ReasonCode.NOT_A_LOT or (r.code == ReasonCode.MISSING_CONTEXT and counting_nowhere)
        ]
        if not instead:
            return verdict
        if not self.service.location_known(code):
            said = Reason(
                ReasonCode.UNKNOWN_LOCATION.value, sentence(ReasonCode.UNKNOWN_LOCATION, location=code)
            )
        else:
            said = Reason(
                ReasonCode.MISSING_CONTEXT.value,
                f"On the command line give --location {code} with the label to scan (its barcode "
                f"{scanned.raw} sets the location only in the station app).",
            )
        return _said_instead(verdict, instead[0], said)


def _said_instead(verdict: Verdict, old: Reason, said: Reason) -> Verdict:
    """The verdict with `said` in place of the reason `old` (and in its message)."""
    reasons = tuple(said if r is old else r for r in verdict.reasons)
    return replace(verdict, message=verdict.message.replace(old.message, said.message), reasons=reasons)


@dataclass(frozen=True)
class _OneByOne:
    """A batch whose lines are judged each on its own (produce: the station makes an output lot
    on a command, /produce, which no scanned line is)."""

    each: Judge

    def judge(self, number: int, text: str) -> list[LineVerdict]:
        return [LineVerdict(number, text, self.each(text))]

    def finish(self) -> list[LineVerdict]:
        return []


def _status_said(verdict: Verdict) -> Verdict:
    """A lookup of a lot that may not be used (recalled, rejected, on hold, in quarantine,
    expired) carries that as its reason code, a WARNING under which nothing was recorded: what
    `--json` and a batch say is what the human line says, "NOT RECORDED RECALLED" (tester W11:
    the JSON and the batch said ACCEPTED with no reason for a recalled lot)."""
    details = verdict.details
    if looked_up_status(verdict) is None or verdict.level is Level.REJECTED:
        return verdict
    lot = str(details.get("lot", ""))
    codes = [STATUS_REASONS[status]] if (status := _status(details.get("status"))) in STATUS_REASONS else []
    if details.get("expired"):
        codes.append(ReasonCode.LOT_EXPIRED)
    said = tuple(
        Reason(code.value, sentence(code, lot=lot, expiry=details.get("expiry") or ""), Level.WARNING)
        for code in codes
    )
    return replace(verdict, level=Level.WARNING, reasons=(*said, *verdict.reasons))


def _status(value: object) -> LotStatus | None:
    try:
        return LotStatus(str(value))
    except ValueError:
        return None


def _quantity_made(
    service: StationService, ctx: ScanContext, data: str | None, source: Source
) -> ScanContext:
    """Tester U7: `lotscan scan WO:WO-3001 -w produce` recorded the order's planned quantity
    though nobody said it, where the station shows the lot and quantity it would record and waits
    for the operator (p records it, q sets the quantity first). The operator says how much was
    made: asked on a terminal, with the planned quantity as the suggestion; with no terminal (or
    a --file batch, whose lines are not asked about) --qty is required. A label that carries a
    quantity says it, and a produce that would be refused anyway is not asked about."""
    if data is None:
        raise click.UsageError("give --qty with a batch of produce scans: the quantity made is never assumed")
    scanned = service.interpret(unescape(data), source=source)
    order = scanned.internal
    task = ctx.task or (order.value if order and order.type == "work_order" else None)
    planned = service.planned_output(task) if task else None
    if scanned.quantity is not None or planned is None:
        return ctx
    if service.handle(scanned, ctx.with_(task=task), dry_run=True).level is Level.REJECTED:
        return ctx
    plans = f" (it plans {planned.planned_qty:g} {planned.unit})" if planned.planned_qty else ""
    if not sys.stdin.isatty():
        raise click.UsageError(
            f"how much {planned.item} was made for {planned.task}{plans}? Give the quantity with "
            "--qty: a produce never records the planned quantity unasked. Nothing was recorded."
        )
    made = click.prompt(
        f"Quantity of {planned.item} made for {planned.task}, in {planned.unit}",
        default=f"{planned.planned_qty:g}" if planned.planned_qty else None,
        type=Quantity(),
        err=True,
    )
    return ctx.with_(qty=float(made))


def _signed_in(service: StationService, badge: str | None, pin: str | None) -> Operator | None:
    """--operator's badge, after the check a sign-in at the station makes: a badge that is not
    known or no longer active is refused, and one with a PIN (or any, under require_pin) needs it."""
    if badge is None:
        return None
    verdict, operator = service.sign_in(badge, pin)
    if operator is None:
        reason = verdict.message
        if verdict.level is Level.WARNING:  # the PIN is wanted
            reason = reason.replace("enter your PIN.", "give your PIN with --pin (or $LOTSCAN_PIN).")
        raise click.ClickException(f"--operator {badge}: {reason} Nothing was recorded.")
    return operator


def _approver(service: StationService, badge: str | None, pin: str | None) -> str | None:
    """The approving supervisor's badge, after the same check a sign-in makes (PIN included)."""
    if badge is None:
        return None
    verdict, operator = service.sign_in(badge, pin)
    if operator is None or not operator.is_supervisor:
        reason = verdict.message if operator is None else f"{operator.name} is not a supervisor."
        raise click.ClickException(f"--approved-by {badge}: {reason} Nothing was recorded.")
    return operator.badge


def _print(verdict: Verdict, as_json: bool) -> None:
    if as_json:
        data = verdict.to_json()
        shown = {k: data[k] for k in ("verdict", "reasons", "message", "event_ids", "suggestion", "details")}
        click.echo(json.dumps({**shown, **_recorded_or_not(verdict)}))
        return
    colour = {Level.ACCEPTED: "green", Level.WARNING: "yellow", Level.REJECTED: "red"}[verdict.level]
    word = verdict_word(verdict)  # the stations' words: NOT RECORDED for a lookup (tester V1, T13)
    if unrecorded(verdict):
        status = looked_up_status(verdict)
        word += f" {status}" if status else ""
        colour = "red" if status in ALARM_STATUSES else "yellow" if status else "cyan"
    click.echo(click.style(f" {word} ", bg=colour, fg="black", bold=True) + " " + verdict.message)
    for reason in verdict.reasons:
        click.echo(f"  {reason.code}: {reason.message}")
    if verdict.other_lot:
        s = verdict.other_lot
        click.echo(
            f"  suggested: lot {s.lot_code} at {s.location} ({s.quantity:g} available, expiry {s.expiry})"
        )
    for line in detail_lines(verdict.details):
        click.echo(line)


def _recorded_or_not(verdict: Verdict) -> dict[str, object]:
    """Beside the verdict's level, whether the scan was recorded and the word the screen says
    (tester tz, Z9f: a lookup said "verdict": "ACCEPTED" where the screen says NOT RECORDED)."""
    return {"recorded": verdict.recorded, "said": verdict_word(verdict)}


def _decoded_lines(batch: IO[bytes]) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The batch's scan lines (numbered, blanks and # comments dropped) and the lines that are not UTF-8.

    A batch scanner's upload may hold a Latin-1 byte or line noise: that line is named and
    skipped, the rest of the upload is still judged.
    """
    lines: list[tuple[int, str]] = []
    not_text: list[tuple[int, str]] = []
    for number, raw in enumerate(batch, start=1):
        try:
            line = raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError as exc:
            bad = raw[exc.start : exc.start + 1].hex()
            where = f"byte 0x{bad} at column {exc.start + 1} is not UTF-8"
            not_text.append((number, f"not text ({where}); skipped, nothing recorded."))
            continue
        if line.strip() and not line.lstrip().startswith("#"):
            lines.append((number, line))
    return lines, not_text


def _run_batch(upload: BatchUpload | _OneByOne, batch: IO[bytes], as_json: bool) -> None:
    """Judge the upload's lines in order and say each one that was not simply accepted, then a
    summary. A line that set up the ones after it (a place, a task, a badge, half a split label)
    is counted apart: it recorded nothing and refused nothing."""
    lines, not_text = _decoded_lines(batch)
    levels: Counter[str] = Counter()  # by the word each line says: a lookup is NOT RECORDED (Z9f)
    codes: Counter[str] = Counter()
    codes_by_word: dict[str, Counter[str]] = {}
    noted = 0
    for number, message in not_text:
        levels[Level.REJECTED.value] += 1
        codes["NOT_UTF8"] += 1  # in the breakdown with the others (tester's #15)
        codes_by_word.setdefault(Level.REJECTED.value, Counter())["NOT_UTF8"] += 1
        if as_json:
            click.echo(json.dumps({"line": number, "verdict": Level.REJECTED.value, "message": message}))
        else:
            click.echo(f"line {number}: {Level.REJECTED.value} {message}", err=True)

    def say(said: LineVerdict) -> None:
        nonlocal noted
        if said.noted:
            noted += 1
            if as_json:
                noted_line = {"line": said.line, "scan": said.scan, "noted": True, "recorded": False}
                click.echo(json.dumps({**noted_line, "message": said.verdict.message}))
            return
        # A lookup's status as its reason (W11); the one-by-one Judge says it itself.
        verdict = said.verdict if isinstance(upload, _OneByOne) else _status_said(said.verdict)
        word = verdict_word(verdict)
        levels[word] += 1
        codes.update(r.code for r in verdict.reasons)
        codes_by_word.setdefault(word, Counter()).update(r.code for r in verdict.reasons)
        if as_json:
            shown = {"line": said.line, "scan": said.scan, **verdict.to_json()}
            click.echo(json.dumps({**shown, **_recorded_or_not(verdict)}))
        elif verdict.level is not Level.ACCEPTED:
            click.echo(f"line {said.line}: {word} {verdict.message}", err=True)

    with click.progressbar(lines, label="scanning", file=sys.stderr) as bar:
        for number, line in bar:
            for said in upload.judge(number, line):
                say(said)
    for said in upload.finish():
        say(said)
    words = (*(lv.value for lv in Level), UNRECORDED_WORD)
    summary = {
        "scans": len(lines) + len(not_text),
        **{word: levels.get(word, 0) for word in words},
        "noted": noted,
        "reasons": dict(codes),
    }
    if as_json:
        click.echo(json.dumps({"summary": summary}))
    else:
        counted = [
            f"{levels.get(word, 0)} {_SUMMARY_WORDS[word]}" + _codes_said(codes_by_word.get(word))
            for word in words
            if word != UNRECORDED_WORD or levels.get(word)
        ]
        noted_said = f"; noted for the lines after: {noted} (a place, a task, a badge, half a label)"
        click.echo(f"{summary['scans']} scans: {', '.join(counted)}" + (noted_said if noted else ""))
    sys.exit(1 if levels.get("REJECTED") else 0)


_SUMMARY_WORDS = {
    Level.ACCEPTED.value: "accepted",
    Level.WARNING.value: "warnings",
    Level.REJECTED.value: "rejected",
    UNRECORDED_WORD: "not recorded",
}


def _codes_said(codes: Counter[str] | None) -> str:
    """`` (MALFORMED_GS1 x1, LOT_RECALLED x1)``: the reason codes of one kind of line, most first."""
    return f" ({', '.join(f'{c} x{n}' for c, n in codes.most_common())})" if codes else ""
