"""Errors central answers with: each has an HTTP status, a stable code and a sentence saying what to do."""

from __future__ import annotations


class CentralError(Exception):
    """A request central can't carry out as asked: 422 unless a subclass says otherwise (a 4xx
    answer is never retried by a station; 400 is not used, so every refusal of input is a 422)."""

    status = 422
    code = "INVALID_REQUEST"

    def __init__(self, message: str, **extra: object):
        super().__init__(message)
        self.message = message
        self.extra = extra


class Unauthorized(CentralError):
    status = 401
    code = "UNAUTHORIZED"


class Forbidden(CentralError):
    status = 403
    code = "FORBIDDEN"


class NotFound(CentralError):
    status = 404
    code = "NOT_FOUND"


class Conflict(CentralError):
    status = 409
    code = "CONFLICT"


class Gap(CentralError):
    status = 409
    code = "SEQ_GAP"


class ReloadRequired(CentralError):
    status = 410
    code = "RELOAD_REQUIRED"


class BadBatch(CentralError):
    status = 422
    code = "BAD_BATCH"


class UnsupportedMediaType(CentralError):
    status = 415
    code = "UNSUPPORTED_MEDIA_TYPE"


class InvalidRequest(CentralError):
    """Malformed input (the base class's answer, named for the places that raise it on purpose)."""
