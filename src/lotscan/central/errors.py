"""Errors central answers with: each has an HTTP status, a stable code and a sentence saying what to do."""

from __future__ import annotations


class CentralError(Exception):
    status = 400
    code = "BAD_REQUEST"

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


class Gap(CentralError):
    status = 409
    code = "SEQ_GAP"


class ReloadRequired(CentralError):
    status = 410
    code = "RELOAD_REQUIRED"


class BadBatch(CentralError):
    status = 422
    code = "BAD_BATCH"
