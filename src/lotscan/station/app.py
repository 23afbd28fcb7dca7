"""The station app: one screen driven by scans, with a verdict banner, the work panel, the last
scans and a status line. Every scan goes through the same `StationSession` as the headless
station; all cache access runs in service threads, never in an event handler."""

from __future__ import annotations

import gc
import logging
import re
import sys
import time
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, NamedTuple

from textual import events, work
from textual.app import App, ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.driver import Driver

from lotscan.domain.verdict import Level, Verdict
from lotscan.services.session import StationSession
from lotscan.settings import StationSettings
from lotscan.station import demo_hints, labeling
from lotscan.station.actions import StationActions
from lotscan.station.devicelink import DeviceEvent, DeviceLink
from lotscan.station.feed import Handled, QueuedScan, ScanFeed, ServiceThread
from lotscan.station.fields import Field, FieldState
from lotscan.station.keys import ACTIONS, BY_KEY, LETTERS, overridable_refusal, visible_actions
from lotscan.station.rows import Needs, Rows, banner_usual, one_column, share_rows
from lotscan.station.screens.too_small import TooSmallScreen, too_small
from lotscan.station.serve.driver import KeyBurst
from lotscan.station.serve.hub import SessionInfo, StationHub
from lotscan.station.syncstate import SyncLink, SyncUpdate
from lotscan.station.terminal_wedge import TerminalWedge
from lotscan.station.views import PROMPTED, Workspace, gather, prompt_moved_on
from lotscan.station.widgets.banner import VerdictBanner
from lotscan.station.widgets.capture import PASS_THROUGH, ScanCapture
from lotscan.station.widgets.fixed import FixedStatic
from lotscan.station.widgets.history import Entry, History
from lotscan.station.widgets.keybar import KeyBar
from lotscan.station.widgets.statusbar import StatusBar, StatusFacts, central_address
from lotscan.station.widgets.workpanel import WorkPanel
from lotscan.station.wording import REASON_FIELD_WORDS, SCREEN_WORDS, for_screen, verdict_for_screen

log = logging.getLogger(__name__)
# Fields whose value may come from a scanner too (a supervisor's badge); other fields take only
# typed values, and a scan fired meanwhile is judged as a scan.
# A reason is text however it arrives: typed fast or pasted, it is still the reason.
ALWAYS_A_VALUE = (Field.PIN, Field.SUPERVISOR_BADGE, Field.SUPERVISOR_PIN, Field.REASON)
BELOW_ZERO_COMMAND = "/belowzero"
LABEL_LOT = re.compile(r"\bfor lot (\S+?)(?=[:(]|\.?(?:\s|$))")
BELLS = {Level.ACCEPTED: 1, Level.WARNING: 2, Level.REJECTED: 3}
BELL_SPACING_S = 0.15
GIL_SWITCH_INTERVAL_S = 0.001


class Regions(NamedTuple):
    """The widgets whose rows are shared (`lotscan.station.rows`)."""

    status: StatusBar
    banner: VerdictBanner
    prompt: FixedStatic
    work: WorkPanel
    history: History
    keys: KeyBar


class StationApp(StationActions, App[None]):
    CSS_PATH = "station.tcss"
    TITLE = "lotscan station"
    ENABLE_COMMAND_PALETTE = False
    takes_key_bursts = True  # a served session's driver posts a network read's keys together

    def __init__(
        self,
        session: StationSession,
        *,
        clock: Callable[[], datetime] = datetime.now,
        today: Callable[[], date] = date.today,
        status_interval_s: float = 2.0,
        start_devices: bool = True,
        start_sync: bool = True,
        hub: StationHub | None = None,
        seat: SessionInfo | None = None,
        driver_class: type[Driver] | None = None,
    ) -> None:
        super().__init__(driver_class=driver_class)
        self.session = session
        # A served session (browser tab, SSH connection) shares the hub's writer, readers and
        # sync worker with the station's other sessions; a local station owns its own.
        self.hub = hub
        self.seat = seat
        self.plain_terminal = False  # a VT100-like client: the level in words, not block letters
        self.settings: StationSettings = session.service.settings
        self.clock = clock
        self.today = today
        self.status_interval_s = status_interval_s
        self.service_thread = hub.writer if hub else ServiceThread()
        self.reader_thread = hub.readers if hub else ServiceThread()
        self.feed = ScanFeed(session, self.service_thread)
        self.wedge = TerminalWedge.from_settings(self.settings)
        self.fields = FieldState()
        self.devices = DeviceLink(self.settings.devices, self.post_message) if start_devices else None
        if hub is not None:
            self.sync = SyncLink.attach(hub.sync, self.post_message) if hub.sync else None
        else:
            self.sync = SyncLink.create(self.settings, self.post_message) if start_sync else None
        self.facts = StatusFacts(central=central_address(self.settings.server_url))
        self.lookup: dict[str, Any] | None = None
        self.sounds: list[Level] = []
        self.label_notices: list[str] = []
        self.last_service_s = 0.0
        self.last_scan_verdict: Verdict | None = None  # what an override would be for
        # Whose scans the last scans show: cleared when that operator signs out (or times out)
        # or another signs in, so one operator's entries never show in the next one's session.
        self.history_of: str | None = None
        self.last_activity = time.monotonic()
        self._refreshing = False
        self._refresh_again = False
        self._shown_prompt: dict[str, Any] | None = None  # the FEFO prompt on screen
        self._synced_since_shown = False  # a sync round came since it was read
        self._switch_interval = sys.getswitchinterval()
        self._rows: Rows | None = None  # the heights applied (lotscan.station.rows)

    # -- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        yield VerdictBanner(demo_hints.idle_text(self.settings), id="banner")
        yield FixedStatic(self.session.prompt, id="prompt")
        yield ScanCapture(
            self.wedge.config,
            hotkeys=LETTERS | {"?"},
            function_keys={a.fkey for a in ACTIONS} | {"escape_field"},
            id="capture",
        )
        with Horizontal(id="body"):
            with VerticalScroll(id="work-scroll", can_focus=False):
                yield WorkPanel(id="work")
            yield History(id="history")
        yield KeyBar(id="keys")

    @property
    def banner(self) -> VerdictBanner:
        return self.query_one(VerdictBanner)

    @property
    def capture(self) -> ScanCapture:
        return self.query_one(ScanCapture)

    def on_mount(self) -> None:
        # Service, reader, device and sync threads run Python too: with the default 5 ms GIL
        # switch interval each step of painting a verdict could wait 5 ms for them.
        if self.hub is None:  # process-wide settings: a serving station sets them once
            self._switch_interval = sys.getswitchinterval()
            sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)
        self.capture.focus()
        for widget in self._sharing():
            widget.on_rows_changed = self.share_rows
        self._layout_for(self.size.width, self.size.height)
        self._show_state()
        self.run_worker(self.feed.run(self._on_handled), name="scan-feed", group="scans")
        self.set_interval(self.status_interval_s, self._refresh_status)
        idle_limit = self.settings.policy.idle_signout_s
        self.set_interval(min(5.0, idle_limit / 2) if idle_limit else 5.0, self._check_idle)
        self.refresh_workspace()
        if self.devices is not None and self.devices.configured:
            self.devices.start(self)
        if self.sync is not None:
            self.sync.start(self)
        if self.hub is None:
            self.call_after_refresh(
                gc.freeze
            )  # startup objects live for the shift: keep them out of GC passes

    def on_resize(self, event: events.Resize) -> None:
        self._layout_for(event.size.width, event.size.height)

    def _layout_for(self, width: int, height: int) -> None:
        """The forms that depend on the width (one column, paddings, block letters); the rows are
        shared once the widgets have their new widths (`share_rows`)."""
        if self._fits(width, height):
            return
        narrow = one_column(width)
        self.screen.set_class(narrow, "-narrow")
        self.screen.set_class(width < 30, "-tiny")  # an RF gun's 20-29 columns: no side padding
        large = width >= 80 and height >= 24 and not self.plain_terminal
        self.screen.set_class(large, "-large")
        self.banner.set_form(large=large, compact=narrow)
        self.query_one(History).set_compact(narrow)
        self.call_after_refresh(self.share_rows)

    def _sharing(self) -> Regions:
        """The regions whose text decides their rows (on the station's own screen, under any
        menu or help open over it)."""
        main = self.screen_stack[0]
        return Regions(
            main.query_one(StatusBar),
            main.query_one(VerdictBanner),
            main.query_one("#prompt", FixedStatic),
            main.query_one(WorkPanel),
            main.query_one(History),
            main.query_one(KeyBar),
        )

    def share_rows(self) -> None:
        """Give each region of the screen its rows, essentials first (`lotscan.station.rows`):
        on a resize and whenever a region's text takes another number of rows. A layout pass only
        when a height changes."""
        width, height = self.size
        if not self.screen_stack or too_small(width, height):
            return
        main = self.screen_stack[0]
        status, banner, prompt, work, history, keys = self._sharing()
        if banner.content_size.width <= 0:
            return  # not laid out yet: the resize's after-refresh call comes
        scans_first, scans = history.rows_wanted()
        needs = Needs(
            status=status.rows_needed(),
            keys=keys.rows_needed(),
            banner=banner.rows_needed(),
            prompt=prompt.rows_needed(),
            work_first=work.first_rows,
            work=work.rows_needed(),
            scans_first=scans_first,
            scans=scans,
            banner_usual=banner_usual(large=banner.large, notice=banner.notice, width=width),
        )
        rows = share_rows(width, height, needs)
        if rows == self._rows:
            return
        self._rows = rows
        heights: list[tuple[str, int | str]] = [
            ("#status", rows.status),
            ("#banner", rows.banner),
            ("#prompt", rows.prompt),
            ("#capture", rows.scan),
            ("#body", rows.body),
            ("#keys", rows.keys),
            ("#work-scroll", rows.work if rows.one_column else "100%"),
            ("#history", rows.scans if rows.one_column else "100%"),
        ]
        for selector, rows_of in heights:
            styles = main.query_one(selector).styles
            if str(styles.height) != str(rows_of):
                styles.height = rows_of

    def _fits(self, width: int, height: int) -> bool:
        """Too small to show a verdict with its next action and the keys: say so, over the
        station, until the terminal is large enough (then back to the screen it covered).
        True while it is too small."""
        covering = next((s for s in self.screen_stack if isinstance(s, TooSmallScreen)), None)
        if too_small(width, height):
            if covering is None:
                self.push_screen(TooSmallScreen(width, height))
            else:
                covering.show_size(width, height)
            return True
        if covering is not None:
            if self.screen is covering:
                self.pop_screen()
            else:
                covering.dismiss()
        return False

    async def on_unmount(self) -> None:
        self.feed.close()
        if self.devices is not None:
            self.devices.stop()
        if self.sync is not None:
            self.sync.stop()
        if self.hub is None:
            sys.setswitchinterval(self._switch_interval)
            gc.unfreeze()
            self.service_thread.shutdown()
            self.reader_thread.shutdown()

    def connection_lost(self) -> None:
        """The handheld's connection dropped: scans not yet judged are dropped (they were never
        shown as recorded), and the session ends. What was shown as recorded is committed."""
        self.feed.close()
        self.exit()

    # -- input ------------------------------------------------------------------------------

    async def on_key_burst(self, burst: KeyBurst) -> None:
        """The keys of one network read (a handheld's scan): to the scan line in one message
        when it has the focus, which takes every key but those the app keeps; else one by one,
        as Textual hands keys on (bindings first, then the focused widget)."""
        focused = self.focused
        if isinstance(focused, ScanCapture) and not any(key.key in PASS_THROUGH for key in burst.keys):
            self.app_focus = True
            focused.post_message(ScanCapture.Keys(burst.keys))
            return
        for key in burst.keys:
            await self.on_event(key)

    def forward_key(self, event: events.Key) -> None:
        """A key a pop-up did not use: the scan line gets it."""
        self.capture.feed(event)

    def on_paste(self, event: events.Paste) -> None:
        self.capture.on_paste(event)

    def on_scan_capture_scanned(self, message: ScanCapture.Scanned) -> None:
        line = message.line
        self.last_activity = time.monotonic()
        field = self.fields.current
        typed = not line.burst or line.pasted  # a scanner burst stays a scan, whatever is being typed
        if field is Field.PIN and not typed and not line.text.strip().isdigit():
            # A PIN is digits typed: a scan at PIN> goes to the session as a scan, which says
            # what it was and spends no try (tester tz2, A3), and the last scans name it. Digits
            # stay a PIN (a served session's keys may come in one burst).
            self.queue(self.wedge.queued(line))
            return
        if field in ALWAYS_A_VALUE or (field is not None and field.takes_value and typed):
            self._field_value(field, line.text)
            return
        if field is Field.TYPE:
            self._end_field()
        if line.text.strip().lower() in ("/help", "/?"):
            self.action_station_help()  # the help is too long for the banner
            return
        if line.text.strip().lower() == BELOW_ZERO_COMMAND:
            self.action_station_below_zero()  # a list to scroll, like the help
            return
        self.queue(self.wedge.queued(line))

    def on_scan_capture_hotkey_pressed(self, message: ScanCapture.HotkeyPressed) -> None:
        self.last_activity = time.monotonic()
        if message.key == "escape_field":
            self._end_field()
            return
        if message.key in ("pageup", "pagedown", "up", "down"):
            panel = self.query_one("#work-scroll", VerticalScroll)
            step = {"pageup": -panel.size.height, "pagedown": panel.size.height, "up": -1, "down": 1}
            panel.scroll_relative(y=step[message.key], animate=False)
            return
        action = BY_KEY.get(message.key)
        if action is not None:
            getattr(self, f"action_station_{action.name}")()

    def queue(self, item: QueuedScan) -> None:
        self.feed.put(item)

    def command(self, text: str) -> None:
        self.queue(QueuedScan(text))

    # -- verdicts ---------------------------------------------------------------------------

    async def _on_handled(self, handled: Handled) -> None:
        words = REASON_FIELD_WORDS if self.fields.current is Field.REASON else SCREEN_WORDS
        verdict = verdict_for_screen(handled.outcome.verdict, words)
        self.last_service_s = handled.seconds
        if self.hub is not None and self.seat is not None:
            operator = self.session.operator
            self.hub.signed_in(
                self.seat, operator.badge if operator else None, operator.role if operator else None
            )
            self.hub.active(self.seat, scanned=verdict.recorded)
            secret = handled.item.secret or handled.outcome.secret
            shown = "PIN" if secret else repr(handled.item.text[:60])
            log.info("%s %s: %s %s", self.seat.id, shown, verdict.level.value, verdict.message[:100])
        self._forget_scans_of_another_operator()
        notice = handled.outcome.notice and verdict.level is not Level.REJECTED
        self.last_scan_verdict = None if notice else verdict
        self.banner.show(verdict, notice=notice)
        self._sound(verdict.level)
        item = handled.item
        if not item.text.startswith("/") or verdict.level is not Level.ACCEPTED:
            shown = "PIN ••••" if item.secret or handled.outcome.secret else item.text
            clock = self.clock().strftime("%H:%M:%S")
            scanned = handled.outcome.scan
            lot = scanned.lot if scanned is not None else None
            recorded = verdict.recorded
            moved_to = handled.outcome.moved_to
            entry = Entry(
                clock, item.how, shown, verdict.level, verdict.message, notice, lot, recorded, moved_to
            )
            # The list repaints in the frame after the banner's, which then has less to draw.
            self.call_after_refresh(self.query_one(History).add, entry)
        if verdict.recorded and self.sync is not None:
            self.sync.nudge()
        workflow = self.session.workflow.value if not item.text.startswith("/produce") else "produce"
        if labeling.wanted(verdict, workflow):
            self._print_labels(verdict, workflow)
        details = handled.outcome.details or {}
        if details.get("type") in ("lot", "location", "task", "item", "operator"):
            self.lookup = details
        if details.get("ask_harvest"):
            self._ask_harvest(list(details["ask_harvest"]))  # goods from a farm: ask what is missing
        self._show_state()
        self.refresh_workspace()

    def _forget_scans_of_another_operator(self) -> None:
        operator = self.session.operator
        badge = operator.badge if operator else None
        if self.history_of is not None and badge != self.history_of:
            # After refresh, as entries are added: the clearing lands before this scan's entry.
            self.call_after_refresh(self.query_one(History).clear)
        self.history_of = badge

    @work(thread=True, group="labels")
    def _print_labels(self, verdict: Verdict, workflow: str) -> None:
        try:
            messages = labeling.print_labels(self.session.service, self.settings, verdict, workflow)
        except Exception:
            log.exception("label printing failed")
            messages = ["Label NOT printed: the station failed; see the station log."]
        for message in messages:
            self.call_from_thread(self._label_notice, message)

    def _label_notice(self, message: str) -> None:
        """Shown in the last scans, where it neither covers the work nor goes away."""
        self.label_notices.append(message)
        level = Level.ACCEPTED if message.startswith("Label printed") else Level.WARNING
        clock = self.clock().strftime("%H:%M:%S")
        # The lot first, as for a scan: the sentence is cut at the column's width (40x16, and
        # the last scans' column at 100x30 cut it before the lot).
        named = LABEL_LOT.search(message)
        entry = Entry(clock, "label", message, level, message, lot=named.group(1) if named else None)
        # After-refresh like the scans' entries, so it always lands after the scan that asked for it.
        self.call_after_refresh(self.query_one(History).add, entry)

    def show_verdict(self, verdict: Verdict, *, notice: bool = False) -> None:
        """A verdict that did not come from a scan (e.g. the open tasks could not be read); a
        `notice` (a key's answer: an override not approved) in the neutral style, no verdict word."""
        self.banner.show(verdict, notice=notice)
        self._sound(verdict.level)

    def _sound(self, level: Level) -> None:
        self.sounds.append(level)
        for n in range(BELLS[level]):
            if n == 0:
                self.bell()
            else:
                self.set_timer(n * BELL_SPACING_S, self.bell)

    def _show_state(self) -> None:
        session = self.session
        if session.awaiting_pin_for is not None and self.fields.current is not Field.PIN:
            self.fields.start(Field.PIN)
        elif session.awaiting_pin_for is None and self.fields.current is Field.PIN:
            self.fields.end()
        field = self.fields.current
        capture = self.capture
        if field is None:
            capture.set_field("Scan")
            prompt = for_screen(session.prompt)
        else:
            label = self.fields.label or field.label
            capture.set_field(label, secret=field.secret, letters_are_text=field.letters_are_text)
            prompt = self.fields.prompt or field.prompt
        capture.joins_pasted_lines = field in (Field.REASON, Field.HARVEST)
        self.query_one("#prompt", FixedStatic).set_text(prompt)
        self.facts.operator = session.operator.name if session.operator else "nobody"
        self.facts.mode = session.workflow.value
        self.facts.task = session.task
        self.facts.clock = self.clock().strftime("%H:%M")
        self.facts.queued = self.feed.waiting
        supervisor = session.operator is not None and session.operator.is_supervisor
        self.facts.sessions = self.hub.summary() if self.hub is not None and supervisor else ""
        self.query_one(StatusBar).show(self.facts)
        offered = overridable_refusal(self.last_scan_verdict) and session.override is None
        self.query_one(KeyBar).show(
            visible_actions(session.workflow, session.operator is not None, overridable=offered)
        )

    # -- background reads --------------------------------------------------------------------

    @work(group="status", exclusive=True)
    async def _refresh_status(self) -> None:
        try:
            self._take_summary(await self.reader_thread.call(self.session.service.summary))
        except Exception:
            log.exception("reading the station summary failed")

    def _take_summary(self, summary: dict[str, Any]) -> None:
        if not summary:
            return
        self.facts.pending = summary["pending"]
        if summary.get("server_url"):
            self.facts.central = central_address(summary["server_url"])
        if self.sync is None or not self.sync.live:
            self.facts.cache_age_s = summary["cache_age_s"]
        self._show_state()

    def refresh_workspace(self) -> None:
        """Re-read the work panel, after the current frame (the verdict) is on screen: its reads
        run in a thread that would otherwise compete with painting the banner."""
        if self._refreshing:
            self._refresh_again = True
            return
        self._refreshing = True
        self.call_after_refresh(self.run_worker, self._gather(), group="workspace")

    async def _gather(self) -> None:
        try:
            while True:
                self._refresh_again = False
                try:
                    space = await self.reader_thread.call(gather, self.session)
                except Exception:  # the panel stays as it was; scanning goes on
                    log.exception("reading the work panel failed")
                    break
                self.query_one(WorkPanel).show(space, self.lookup, self.today())
                self._take_summary(space.summary)
                await self._say_why_the_prompt_moved_on(space)
                if not self._refresh_again:
                    break
        finally:
            self._refreshing = False

    async def _say_why_the_prompt_moved_on(self, space: Workspace) -> None:
        """After a sync round, a FEFO prompt that had to name another lot says why (tester W14)."""
        before, self._shown_prompt = self._shown_prompt, space.pick_prompt
        if not self._synced_since_shown:
            return
        self._synced_since_shown = False
        why = await self.reader_thread.call(prompt_moved_on, self.session, before, space.pick_prompt)
        if why:
            self.show_verdict(Verdict(Level.WARNING, why), notice=True)

    def on_device_event(self, event: DeviceEvent) -> None:
        item = DeviceLink.queued(event.message)
        if item is not None:
            self.last_activity = time.monotonic()
            self.queue(item)
            return
        portal = DeviceLink.portal_summary(event.message)
        if portal is not None:
            complete, text = portal
            level = Level.ACCEPTED if complete else Level.WARNING
            clock = self.clock().strftime("%H:%M:%S")
            self.query_one(History).add(Entry(clock, event.message.device_id, text, level, text))
        state = DeviceLink.state_of(event.message)
        if state is not None:
            self.facts.devices[state[0]] = state[1]
            self.query_one(StatusBar).show(self.facts)

    def on_sync_update(self, update: SyncUpdate) -> None:
        if not update.online and (self.facts.online or not self.facts.offline_since):
            self.facts.offline_since = self.clock().strftime("%H:%M")
        elif update.online:
            self.facts.offline_since = ""
        self.facts.online = update.online
        self.facts.sync_detail = update.detail
        if update.pending is not None:
            self.facts.pending = update.pending
        if update.cache_age_s is not None:
            self.facts.cache_age_s = update.cache_age_s
        if update.refused is not None:
            self.facts.refused = update.refused
        if update.online:
            self._follow_enrolment()
            if self.session.workflow in PROMPTED and self.session.task:  # a recall may have come (W14)
                self._synced_since_shown = True
                self.refresh_workspace()
        self.query_one(StatusBar).show(self.facts)

    def _follow_enrolment(self) -> None:
        """An enrolment that landed while the app is open (tester T5): its name and lot part
        take effect now, on screen and in the lots it produces, not at the next start."""
        service = self.session.service
        if not service.follow_enrolment() and self.settings is service.settings:
            return
        self.settings = service.settings
        banner = self.query_one(VerdictBanner)
        if banner.verdict is None:
            banner.show_idle(demo_hints.idle_text(self.settings))

    def _check_idle(self) -> None:
        limit = self.settings.policy.idle_signout_s
        if limit and self.session.operator and time.monotonic() - self.last_activity > limit:
            self.last_activity = time.monotonic()
            self.command("/signout")
