"""How central reads a request before a route sees it: the JSON body parsed once, and every request
that can't be used refused in the same `{"error", "message"}` shape, naming what is wrong.

- a body not sent as JSON (`text/plain`, no Content-Type): 415, saying to send `application/json`;
- a body that is not JSON, or nested deeper than the parser goes: 422 (never a 400 or a recursion error);
- a control character anywhere in a body string or key, a path or a query parameter: 422 naming the
  field. Control characters are NUL (PostgreSQL refuses it in text columns), the rest of C0 (ESC, CR,
  LF, TAB...), DEL, C1, and the bidirectional embeddings, overrides and isolates (U+202A-U+202E,
  U+2066-U+2069, "Trojan Source"). None belongs in a code, name or reason, and a hostile station could
  otherwise store terminal escape sequences that `lotscan central trace` prints, or text that shows
  reversed (tester W7). The one exception is an event's `raw`, the scan as the scanner sent it, which
  carries GS separators (and may carry RS/EOT): only NUL is refused there.

Every router of central uses `JsonRoute` and declares these answers in OpenAPI (`ERROR_RESPONSES`).
"""

from __future__ import annotations

import email.message
import json
import re
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel

from lotscan.central.errors import InvalidRequest, UnsupportedMediaType
from lotscan.domain.control_characters import CONTROL_CHARACTER, escaped_control

NUL = "\x00"
_NUL_ESCAPE = b"\\u0000"  # how a NUL appears in JSON text (a raw NUL byte is not valid JSON)
SCANNED_DATA_KEYS = frozenset({"raw"})  # what the scanner sent, GS separators and all: only NUL refused
# A superset of how a control character can appear in JSON text: an escape (\n, \u001b, \u202E) or
# the raw UTF-8 bytes of DEL, C1 and the bidi controls (C0 may not appear raw in a JSON string). The
# scanned data is cut out first, so a push of ordinary scans (GS in every `raw`) is not walked at all.
_MAYBE_CONTROL = re.compile(
    rb"\\[bfnrt]|\\u(?:00[0189]|007[fF]|20[26])|\x7f|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]"
)
_SCANNED_DATA_VALUE = re.compile(rb'"raw"\s*:\s*"(?:[^"\\]|\\.)*"')


class ErrorBody(BaseModel):
    error: str
    message: str


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    413: {"model": ErrorBody, "description": "request body too large: send smaller batches"},
    415: {"model": ErrorBody, "description": "body not sent as JSON: send Content-Type: application/json"},
    422: {"model": ErrorBody, "description": "malformed request: the message names the field and what to do"},
}


class JsonRoute(APIRoute):
    """An APIRoute that checks its parameters and parses its JSON body itself (see module doc)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        reads_body = self.body_field is not None

        async def checked(request: Request) -> Response:
            _refuse_nul_in_parameters(request)
            if reads_body:
                await _parse_json_body(request)
            return await handler(request)

        return checked


def _refuse_nul_in_parameters(request: Request) -> None:
    for name, value in request.path_params.items():
        if isinstance(value, str) and (found := CONTROL_CHARACTER.search(value)):
            raise _control_character_at(f"path.{name}", found.group())
    for name, value in request.query_params.multi_items():
        if found := CONTROL_CHARACTER.search(name + value):
            raise _control_character_at(f"query.{CONTROL_CHARACTER.sub('', name)}", found.group())


async def _parse_json_body(request: Request) -> None:
    body = await request.body()
    if not body:
        return  # the route's own validation says the body is missing
    content_type = request.headers.get("content-type")
    if not _is_json(content_type):
        sent = f"as {content_type!r}" if content_type else "without a Content-Type"
        raise UnsupportedMediaType(
            f"the request body was sent {sent}; send it as JSON with the header "
            "Content-Type: application/json"
        )
    try:
        data = json.loads(body)
    except RecursionError:
        raise InvalidRequest(
            "the JSON body is nested too deeply to read; no request of central's API nests more "
            "than a few levels: send the documented shape (see /openapi.json)"
        ) from None
    except json.JSONDecodeError as exc:
        raise InvalidRequest(
            f"the body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}; "
            "send a JSON document (see /openapi.json)"
        ) from None
    except UnicodeDecodeError:
        raise InvalidRequest("the body is not UTF-8 text; send JSON encoded as UTF-8") from None
    except ValueError:
        # Python refuses to convert an integer of more than 4,300 digits (CVE-2020-10735 guard);
        # its own message tells the server's programmer what to change, not the client (tester V2).
        raise InvalidRequest(
            "a number in the body is too long to read (more than 4,300 digits); no field of central's "
            "API takes more than a few digits: send the documented shape (see /openapi.json)"
        ) from None
    if _NUL_ESCAPE in body or _MAYBE_CONTROL.search(_SCANNED_DATA_VALUE.sub(b"", body)):
        found = _first_control_character(data, "body")
        if found is not None:
            raise _control_character_at(*found)
    request._json = data  # FastAPI's body reading takes this parse instead of parsing again


def _is_json(content_type: str | None) -> bool:
    if not content_type:
        return False
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    is_json_subtype = subtype == "json" or subtype.endswith("+json")
    return message.get_content_maintype() == "application" and is_json_subtype


def _first_control_character(value: Any, where: str) -> tuple[str, str] | None:
    """Where the first string (or key) holding a control character is, as `body.events.0.payload.lot`,
    and the character; None if none. Scanned data (`raw`) is only checked for NUL."""
    stack: list[tuple[Any, str, bool]] = [(value, where, False)]
    while stack:
        current, path, scanned = stack.pop()
        if isinstance(current, str):
            if scanned:
                if NUL in current:
                    return path, NUL
            elif found := CONTROL_CHARACTER.search(current):
                return path, found.group()
        elif isinstance(current, dict):
            for key, inner in reversed(list(current.items())):
                if found := CONTROL_CHARACTER.search(key):
                    return f"{path} (a key)", found.group()
                stack.append((inner, f"{path}.{key}", key in SCANNED_DATA_KEYS))
        elif isinstance(current, list):
            stack.extend(
                (inner, f"{path}.{index}", False) for index, inner in reversed(list(enumerate(current)))
            )
    return None


def _control_character_at(where: str, character: str) -> InvalidRequest:
    code = escaped_control(character)
    what = (
        f"a NUL character ({code})"
        if character == NUL
        else f"a bidirectional text control ({code})"
        if ord(character) > 0x9F
        else f"a control character ({code})"
    )
    return InvalidRequest(
        f"{where} contains {what}; codes, names and reasons are text without control characters: "
        "remove it and send again",
        problems=[{"where": where, "problem": f"contains {what}"}],
    )
