"""`lotscan station --web`: the station in a handheld's browser.

The page is textual-serve's browser client (xterm.js + its websocket protocol: `["stdin", s]`,
`["resize", {width, height}]`, `["ping", x]` in; terminal bytes out), served from textual-serve's
own static files. Unlike textual-serve's server, each websocket's app runs in this process on
`StreamDriver`, so every tab shares the station's cache, writer and sync worker (see
`serve.hub`). Each tab is its own session with its own sign-in.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import logging
import ssl
from importlib.resources import files
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import WSMsgType, web

from lotscan.station.serve.driver import TerminalLink
from lotscan.station.serve.hub import StationHub
from lotscan.station.serve.session import Session, SessionStarter, in_process
from lotscan.station.serve.terminal import BROWSER

log = logging.getLogger(__name__)
HEARTBEAT_S = 5.0  # a handheld gone from the Wi-Fi is noticed within about two of these
DEFAULT_FONT_PX = 20  # 480 px wide: 40 columns, readable at arm's length
MIN_COLS, MIN_ROWS, MAX_CELLS = 20, 10, 500

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, maximum-scale=1, user-scalable=no">
<meta name="theme-color" content="#000000">
<title>lotscan station {station}</title>
<link rel="stylesheet" href="/static/css/xterm.css">
<script src="/static/js/textual.js"></script>
<style>
  html, body {{ margin: 0; height: 100%; background: #000; color: #fff; overflow: hidden; }}
  #terminal {{ position: absolute; inset: 0; }}
  .closed-dialog {{ display: none; }}
  body.-closed .closed-dialog {{
    display: flex; position: absolute; inset: 0; z-index: 10; background: #000;
    align-items: center; justify-content: center; flex-direction: column;
    font: bold 22px monospace; text-align: center; padding: 16px;
  }}
  .closed-dialog button {{ font: bold 24px monospace; padding: 16px 32px; margin-top: 24px;
    background: #ffbf00; color: #000; border: none; }}
</style>
</head>
<body>
<div id="terminal" class="textual-terminal" data-session-websocket-url="{websocket}"
     data-font-size="{font}"></div>
<div class="closed-dialog">
  <div>Disconnected from station {station}.<br>Scans shown as recorded are kept.</div>
  <button type="button" onclick="location.reload()">Reconnect</button>
</div>
<script>
// A keystroke wedge (DataWedge) types into whatever has focus: the terminal must have it from the
// first moment, and again whenever focus falls back to the page (Reconnect reloads the page).
(function () {{
  function focusTerminal() {{
    var input = document.querySelector(".xterm-helper-textarea");
    if (input && document.activeElement !== input) {{ input.focus(); }}
    return input !== null;
  }}
  var tries = 0;
  var timer = setInterval(function () {{
    if (focusTerminal() || ++tries > 600) {{ clearInterval(timer); }}
  }}, 50);
  window.addEventListener("focus", focusTerminal);
  document.addEventListener("visibilitychange", function () {{
    if (!document.hidden) {{ focusTerminal(); }}
  }});
  document.addEventListener("focusout", function () {{ setTimeout(function () {{
    if (document.activeElement === document.body) {{ focusTerminal(); }}
  }}, 0); }});
}})();
</script>
</body>
</html>
"""


def static_dir() -> Path:
    """textual-serve's browser client (textual.js, xterm.css), used as shipped."""
    return Path(str(files("textual_serve") / "static"))


def _int(value: str | None, default: int, low: int, high: int) -> int:
    try:
        return max(low, min(high, int(value or default)))
    except ValueError:
        return default


def _foreign_origin(request: web.Request) -> str | None:
    """The Origin of a websocket opened by another site's page (cross-site websocket hijacking:
    any page open in a browser on the Wi-Fi could otherwise scan into this station), else None.
    Browsers always send Origin; a client without one (a script, the bench) is not a browser tab
    that another site can steer."""
    origin = request.headers.get("Origin")
    if origin is None:
        return None
    netloc = urlsplit(origin).netloc
    return None if netloc.lower() == request.host.lower() else origin


class WebFront:
    def __init__(self, hub: StationHub, starter: SessionStarter | None = None) -> None:
        self.hub = hub
        self.starter = starter or in_process(hub)
        self.sessions: set[Session] = set()

    def application(self) -> web.Application:
        app = web.Application()
        app.add_routes(
            [
                web.get("/", self.page),
                web.get("/ws", self.websocket),
                web.static("/static", static_dir()),
            ]
        )
        return app

    async def page(self, request: web.Request) -> web.Response:
        scheme = "wss" if request.secure else "ws"
        font = _int(request.query.get("fontsize"), DEFAULT_FONT_PX, 8, 48)
        # An enrolment that landed while serving names the page at once (a cache read: off the loop).
        await self.hub.readers.call(self.hub.follow_enrolment)
        body = PAGE.format(
            station=html.escape(self.hub.settings.station_id),
            websocket=html.escape(f"{scheme}://{request.host}/ws"),
            font=font,
        )
        return web.Response(text=body, content_type="text/html")

    async def websocket(self, request: web.Request) -> web.StreamResponse:
        foreign = _foreign_origin(request)
        if foreign is not None:
            log.warning("refused a websocket from page %s (this station is %s)", foreign, request.host)
            return web.Response(
                status=403,
                text=f"refused: a page from {foreign} may not open a station session here;"
                f" open http(s)://{request.host}/ instead\n",
            )
        ws = web.WebSocketResponse(heartbeat=HEARTBEAT_S)
        await ws.prepare(request)
        width = _int(request.query.get("width"), 80, MIN_COLS, MAX_CELLS)
        height = _int(request.query.get("height"), 24, MIN_ROWS, MAX_CELLS)
        outbox: asyncio.Queue[str | None] = asyncio.Queue()
        link = TerminalLink(BROWSER, outbox.put_nowait, (width, height), lambda: outbox.put_nowait(None))
        info = self.hub.open_session(
            "web",
            request.remote or "?",
            terminal="browser",
            size=f"{width}x{height}",
            device=request.headers.get("User-Agent", "")[:60],
        )
        served = self.starter(info, link)
        self.sessions.add(served)
        app_task = asyncio.create_task(served.run(), name=f"station-{info.id}")
        sender = asyncio.create_task(self._send(ws, outbox), name=f"send-{info.id}")
        try:
            async for message in ws:
                if message.type is not WSMsgType.TEXT:
                    continue
                await self._receive(ws, link, message.data)
        finally:
            if not app_task.done():
                served.lost()
            await app_task
            outbox.put_nowait(None)
            with contextlib.suppress(Exception):
                await sender
            self.sessions.discard(served)
        return ws

    async def _receive(self, ws: web.WebSocketResponse, link: TerminalLink, data: str) -> None:
        try:
            envelope = json.loads(data)
            kind = envelope[0]
        except (ValueError, IndexError, KeyError, TypeError):
            log.warning("not a textual-serve message: %.60r", data)
            return
        if kind == "stdin" and isinstance(envelope[1], str):
            link.feed(envelope[1])
        elif kind == "resize" and isinstance(envelope[1], dict):
            size = envelope[1]
            link.resize(
                _int(str(size.get("width")), 80, MIN_COLS, MAX_CELLS),
                _int(str(size.get("height")), 24, MIN_ROWS, MAX_CELLS),
            )
        elif kind == "ping":
            await ws.send_json(["pong", envelope[1] if len(envelope) > 1 else None])

    @staticmethod
    async def _send(ws: web.WebSocketResponse, outbox: asyncio.Queue[str | None]) -> None:
        while True:
            data = await outbox.get()
            chunks: list[str] = []
            while data is not None:
                chunks.append(data)
                if outbox.empty():
                    break
                data = outbox.get_nowait()
            if chunks and not ws.closed:
                await ws.send_bytes("".join(chunks).encode("utf-8"))
            if data is None:
                await ws.close()
                return

    def close_all(self) -> None:
        for served in list(self.sessions):
            served.close()


def tls_context(cert: str | None, key: str | None) -> ssl.SSLContext | None:
    if not cert:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context
