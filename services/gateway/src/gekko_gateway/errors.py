"""HTTP errors: every failure is a JSON body that names the problem (and the field, when there is one).

Request bodies are decoded here once (:class:`GekkoRequest`): JSON hardened by
``gekko_common.config.decode_body`` and checked strictly against the route's declared ``data`` type,
so a refused value is a 400 naming its field before any handler runs.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotFoundException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import Empty

from gekko_common.config import decode_as, decode_body
from gekko_common.errors import ConfigError
from gekko_common.infra.bus import PayloadTooLarge
from gekko_common.infra.faults import RETRY_AFTER_S, is_transient
from gekko_common.messages import new_id

log = logging.getLogger("gekko_gateway")


class ApiError(Exception):
    """A request the gateway refuses: ``status`` 4xx (or 5xx when a dependency is down)."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field


def bad_request(message: str, field: str | None = None) -> ApiError:
    """A 400 naming the offending field."""
    return ApiError(400, message, field)


def error_body(status: int, message: str, field: str | None = None) -> dict[str, Any]:
    """The JSON error body of every non-2xx answer."""
    body: dict[str, Any] = {"error": message, "status": status}
    if field:
        body["field"] = field
    return body


def _retry_after(status: int) -> dict[str, str]:
    return {"Retry-After": str(RETRY_AFTER_S)} if status == 503 else {}


def api_error_handler(_: Request[Any, Any, Any], exc: ApiError) -> Response[dict[str, Any]]:
    """Render an ApiError; a 503 (a dependency is away) says when to retry."""
    return Response(
        error_body(exc.status, exc.message, exc.field), status_code=exc.status, headers=_retry_after(exc.status)
    )


def too_large_handler(_: Request[Any, Any, Any], exc: PayloadTooLarge) -> Response[dict[str, Any]]:
    """A request that would not fit in one bus message: refused before anything was published."""
    return Response(error_body(413, f"request too large: {exc}", "body"), status_code=413)


def config_error_handler(_: Request[Any, Any, Any], exc: ConfigError) -> Response[dict[str, Any]]:
    """A refused body or field: 400 naming it."""
    return Response(error_body(400, exc.message, exc.field or "body"), status_code=400)


def http_error_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    """Render litestar's own errors (404, 405, 413, a missing body, a bad path parameter) in the same shape."""
    message = exc.detail or "error"
    field = None
    if isinstance(exc, NotFoundException):
        message = f"no route {request.method} {request.url.path}"
    elif exc.status_code == 413:
        message, field = "the body is larger than 1 MiB", "body"
    elif isinstance(exc, ValidationException):
        extra = exc.extra[0] if isinstance(exc.extra, list) and exc.extra else {}
        key = extra.get("key") if isinstance(extra, dict) else None
        field = "body" if key in (None, "data") else str(key)
        message = str(extra.get("message") or message) if isinstance(extra, dict) else message
    headers = dict(exc.headers or {})
    return Response(error_body(exc.status_code, message, field), status_code=exc.status_code, headers=headers)


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    """A dependency that is away (503, retry later) or a bug (500). The body names neither hosts nor
    exception classes: the log has them under the request id the body carries."""
    request_id = new_id()[:12]
    fields = {"request_id": request_id, "path": request.url.path, "error": f"{type(exc).__name__}: {exc}"}
    if is_transient(exc):
        log.warning("dependency unavailable", extra={"fields": fields})
        status, message = 503, "a dependency is unavailable, retry shortly"
    else:
        log.error("unhandled error", exc_info=exc, extra={"fields": fields})
        status, message = HTTP_500_INTERNAL_SERVER_ERROR, "internal error"
    body = {**error_body(status, message), "requestId": request_id}
    return Response(body, status_code=status, headers=_retry_after(status))


class GekkoRequest(Request[Any, Any, Any]):
    """A request whose JSON body is decoded once, hardened, and checked strictly against the route's
    ``data`` type; ``await request.json()`` is then the body as the client sent it (unknown fields kept)."""

    async def json(self) -> Any:
        if self._json is Empty:
            if (decoded := self._connection_state.json) is Empty:
                decoded = decode_body(await self.body())
                data = self.route_handler.parsed_fn_signature.parameters.get("data")
                if data is not None:
                    decode_as(decoded, data.annotation)
                self._connection_state.json = decoded
            self._json = decoded
        return self._json


async def json_body(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """The request body as a JSON object; an empty body is ``{}`` (as the original)."""
    return await request.json()  # type: ignore[no-any-return]
