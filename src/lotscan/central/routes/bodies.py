"""How central reads a request before a route sees it: the JSON body parsed once, and every request
that can't be used refused in the same `{"error", "message"}` shape, naming what is wrong.

- a body not sent as JSON (`text/plain`, no Content-Type): 415, saying to send `application/json`;
- a body that is not JSON, or nested deeper than the parser goes: 422 (never a 400 or a recursion error);
- a NUL character (`\\u0000`) anywhere in a body string or key, a path or a query parameter: 422 naming
  the field. Central keeps text without NUL (PostgreSQL refuses it in text columns), so a NUL never
  reaches the database, whichever database it is.

Every router of central uses `JsonRoute` and declares these answers in OpenAPI (`ERROR_RESPONSES`).
"""

from __future__ import annotations

import email.message
import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel

from lotscan.central.errors import InvalidRequest, UnsupportedMediaType

NUL = "\x00"
_NUL_ESCAPE = b"\\u0000"  # how a NUL appears in JSON text (a raw NUL byte is not valid JSON)


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
        if isinstance(value, str) and NUL in value:
            raise _nul_at(f"path.{name}")
    for name, value in request.query_params.multi_items():
        if NUL in name or NUL in value:
            raise _nul_at(f"query.{name.replace(NUL, '')}")


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
    if _NUL_ESCAPE in body:
        where = _first_nul(data, "body")
        if where is not None:
            raise _nul_at(where)
    request._json = data  # FastAPI's body reading takes this parse instead of parsing again


def _is_json(content_type: str | None) -> bool:
    if not content_type:
        return False
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    is_json_subtype = subtype == "json" or subtype.endswith("+json")
    return message.get_content_maintype() == "application" and is_json_subtype


def _first_nul(value: Any, where: str) -> str | None:
    """Where the first string (or key) holding a NUL is, as `body.events.0.payload.lot`; None if none."""
    stack: list[tuple[Any, str]] = [(value, where)]
    while stack:
        current, path = stack.pop()
        if isinstance(current, str):
            if NUL in current:
                return path
        elif isinstance(current, dict):
            for key, inner in reversed(list(current.items())):
                if NUL in key:
                    return f"{path} (a key)"
                stack.append((inner, f"{path}.{key}"))
        elif isinstance(current, list):
            stack.extend((inner, f"{path}.{index}") for index, inner in reversed(list(enumerate(current))))
    return None


def _nul_at(where: str) -> InvalidRequest:
    return InvalidRequest(
        f"{where} contains a NUL character (\\u0000); codes, names and reasons are text without "
        "control characters: remove it and send again",
        problems=[{"where": where, "problem": "contains a NUL character"}],
    )
