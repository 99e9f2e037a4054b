"""The server's guard rails, as aiohttp middlewares.

- the Host header of a loopback server must name the loopback (a web page that re-points its own DNS
  name at 127.0.0.1 cannot reach us: DNS rebinding);
- a request from a web page (an ``Origin`` header) is served only for origins listed in the settings;
  a preflight from any other origin, and the request itself, get 403;
- with an API key, ``Authorization: Bearer <key>`` is checked (401 otherwise);
- bodies over the limit get 413; every error is an OpenAI-style JSON body, never a traceback;
- the log gets method, path, status, sizes and figures, never the content of a request or a reply.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

from .errors import ApiError
from .request_log import LogEntry, RequestLog

log = logging.getLogger("deepseek_desktop.api_server")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
# What a request carries from the guard to its handler: the log line's figures, the CORS headers.
_KEY = getattr(web, "RequestKey", None)  # aiohttp >= 3.14 warns about plain string keys
LOG_KEY = _KEY("log", dict) if _KEY else "log"
CORS_KEY = _KEY("cors", dict) if _KEY else "cors"


@dataclass(frozen=True)
class Guard:
    host: str
    api_key: str = ""
    allowed_origins: tuple[str, ...] = ()
    max_body: int = 4 * 1024 * 1024


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def host_name(header: str) -> str:
    """The name in a Host header, without the port (``[::1]:1338`` -> ``::1``)."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def error_response(error: ApiError) -> web.Response:
    return web.json_response(error.body(), status=error.status, headers=error.headers)


def _http_error(exc: web.HTTPException) -> ApiError:
    codes = {404: "not_found", 405: "method_not_allowed", 413: "request_too_large"}
    return ApiError(exc.status, exc.reason, "invalid_request_error", None, codes.get(exc.status, "http_error"))


def middlewares(guard: Guard, requests: RequestLog, dialect: str) -> list:
    loopback = is_loopback(guard.host)
    key = guard.api_key.encode("utf-8")
    origins = set(guard.allowed_origins)

    @web.middleware
    async def record(request: web.Request, handler: Handler) -> web.StreamResponse:
        """Outermost: turn every failure into a JSON error and log one line per request."""
        started = time.perf_counter()
        request[LOG_KEY] = info = {"model": "", "prompt_tokens": 0, "completion_tokens": 0}
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except ApiError as exc:
            status = exc.status
            return error_response(exc)
        except web.HTTPException as exc:
            status = exc.status
            return error_response(_http_error(exc))
        except (asyncio.CancelledError, ConnectionResetError):
            status = 499  # the client went away (nginx's number for it)
            raise
        except Exception as exc:  # noqa: BLE001 - a bug answers 500, without its details
            log.error("request to %s failed: %s", request.path, type(exc).__name__)
            return error_response(ApiError(500, "Internal server error.", "server_error", None, "internal_error"))
        finally:
            requests.add(
                LogEntry(
                    time.time(),
                    request.remote or "",
                    dialect,
                    request.path,
                    info["model"],
                    info["prompt_tokens"],
                    info["completion_tokens"],
                    round((time.perf_counter() - started) * 1000.0, 1),
                    status,
                    request.content_length or 0,
                )
            )

    @web.middleware
    async def check(request: web.Request, handler: Handler) -> web.StreamResponse:
        if loopback and host_name(request.headers.get("Host", "")) not in LOOPBACK_NAMES:
            raise ApiError(
                403, "The Host header does not name this computer.", "invalid_request_error", None, "host_not_allowed"
            )
        origin = request.headers.get("Origin")
        cors: dict[str, str] = {}
        if origin is not None:
            if origin not in origins and "*" not in origins:
                raise ApiError(
                    403,
                    f"Requests from the origin {origin} are not allowed; add it to the allowed "
                    "origins in the settings.",
                    "invalid_request_error",
                    None,
                    "origin_not_allowed",
                )
            cors = {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
            request[CORS_KEY] = cors
            if request.method == "OPTIONS":
                return web.Response(
                    status=204,
                    headers={
                        **cors,
                        "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                        "Access-Control-Allow-Headers": "Authorization, Content-Type",
                        "Access-Control-Max-Age": "600",
                    },
                )
        if key:
            given = request.headers.get("Authorization", "")
            token = given[7:].strip().encode("utf-8") if given[:7].lower() == "bearer " else b""
            if not hmac.compare_digest(token, key):
                raise ApiError(
                    401,
                    "Missing or wrong API key (send Authorization: Bearer <key>).",
                    "invalid_request_error",
                    None,
                    "invalid_api_key",
                    {"WWW-Authenticate": "Bearer"},
                )
        if (request.content_length or 0) > guard.max_body:
            raise ApiError(
                413,
                f"The request body is larger than {guard.max_body} bytes.",
                "invalid_request_error",
                None,
                "request_too_large",
            )
        response = await handler(request)
        if cors and not response.prepared:
            response.headers.update(cors)
        return response

    return [record, check]


async def read_body(request: web.Request, max_body: int) -> bytes:
    """The body, at most ``max_body`` bytes (chunked bodies too)."""
    try:
        return await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise ApiError(
            413,
            f"The request body is larger than {max_body} bytes.",
            "invalid_request_error",
            None,
            "request_too_large",
        ) from None


async def open_stream(request: web.Request, content_type: str) -> web.StreamResponse:
    """Start a streamed answer (SSE or NDJSON), with the CORS headers the guard chose."""
    response = web.StreamResponse(
        headers={"Content-Type": content_type, "Cache-Control": "no-cache", **request.get(CORS_KEY, {})}
    )
    await response.prepare(request)
    return response
