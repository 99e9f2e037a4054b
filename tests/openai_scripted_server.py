"""A small OpenAI-compatible server on 127.0.0.1 that answers from a script, for the remote engine's
error and protocol cases (a real llama.cpp server covers the happy path).

It speaks HTTP/1.1 with chunked server-sent events like uvicorn does, so a connection dropped
mid-stream looks to the client exactly as it does with a real server. What it answers depends on the
model asked for:

  deepseek-chat       content deltas; usage in DeepSeek's form when ``stream_options`` asks for it
  deepseek-reasoner   ``reasoning_content`` deltas, then content; usage in OpenAI's form
  vllm-reasoning      ``reasoning`` deltas (vLLM's newer field name), then content
  inline-think        ``<think>...</think>`` inside the content, cut across chunks; never any usage
  long                one word per chunk until ``max_tokens``, then finish_reason "length"
  drop                two chunks, then the connection is cut
  escapes             content with terminal control sequences (ESC, BEL, NUL, CR, C1 CSI) in it
  surrogate           content with a lone surrogate escape ("\\ud83d"), as a broken server sends
  stall               one chunk, then silence until the client goes away
  stall-headers       silence before any response line
  garbage             a stream whose data is not JSON
  busy / broke / poor 429 / 500 / 402 with an error body
  anything unlisted   404, "the model does not exist"

``api_key`` makes every request need that bearer token; a wrong one gets a 401 whose message quotes
the key it was given (OpenAI's API does that too, partly masked), to prove the engine never passes it on.
"""

from __future__ import annotations

import json
import select
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CHAT_MODELS = ("deepseek-chat", "deepseek-reasoner", "vllm-reasoning", "inline-think", "long", "drop",
               "stall", "stall-headers", "garbage", "busy", "broke", "poor", "escapes", "surrogate")
ANSWER = ["Hello", " from", " the", " scripted", " server."]
REASONING = ["The user", " greets me.", " I greet", " back."]
INLINE = ["<th", "ink>\nI should", " add 2 and 2.\n</th", "ink>\n\n", "The answer", " is 4."]
# A title change, a red colour, a bell, a NUL, a line rewritten by CR, a one-byte CSI; a CRLF cut in two.
ESCAPES = ["Safe \x1b]0;pwned\x07", "\x1b[31mred\x1b[0m\x00", " fake\rreal\x9b2J", "\tend\r", "\n"]


class ScriptedOpenAIServer:
    def __init__(self, api_key: str | None = None, models_endpoint: str = "list", port: int = 0) -> None:
        """``models_endpoint``: "list" (GET /models lists CHAT_MODELS), "missing" (404), "garbage" (HTML).
        ``port``: 0 for any free one; a given one brings a server back where a dead one was."""
        self.api_key = api_key
        self.models_endpoint = models_endpoint
        self.requests: list[dict[str, Any]] = []
        self.events: list[str] = []
        self.release = threading.Event()  # ends every stall when the server stops
        self._httpd = _QuietServer(("127.0.0.1", port), _make_handler(self))
        self.port = self._httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="scripted-openai", daemon=True)

    def __enter__(self) -> ScriptedOpenAIServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def chat_requests(self) -> list[dict[str, Any]]:
        return [r["body"] for r in self.requests if r["path"].endswith("/chat/completions")]

    def wait_for_event(self, name: str, timeout: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if name in self.events:
                return True
            time.sleep(0.01)
        return False


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients hanging up mid-request is what several tests do on purpose


def _chunk(model: str, delta: dict[str, Any] | None = None, finish: str | None = None,
           usage: dict[str, Any] | None = None) -> dict[str, Any]:
    choices = [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish}]
    out: dict[str, Any] = {"id": "chatcmpl-scripted", "object": "chat.completion.chunk", "created": 1,
                           "model": model, "choices": choices}
    if usage is not None:
        out["usage"] = usage
    return out


def _make_handler(server: ScriptedOpenAIServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:  # keep the test output clean
            pass

        # -- plumbing ---------------------------------------------------------------------------
        def _json(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _error(self, status: int, message: str, kind: str) -> None:
            self._json(status, {"error": {"message": message, "type": kind, "code": status}})

        def _start_stream(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()

        def _write_chunk(self, data: bytes) -> None:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()

        def _event(self, payload: Any) -> None:
            text = payload if isinstance(payload, str) else json.dumps(payload)
            self._write_chunk(f"data: {text}\n\n".encode())

        def _end_stream(self) -> None:
            self._write_chunk(b"data: [DONE]\n\n")
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()

        def _wait_until_client_leaves(self, name: str) -> None:
            """Stay silent; note when the client closes its end (a read returns nothing)."""
            conn = self.connection
            while not server.release.is_set():
                ready, _, _ = select.select([conn], [], [], 0.02)
                if ready:
                    try:
                        if not conn.recv(1024):
                            server.events.append(f"closed:{name}")
                            break
                    except OSError:
                        server.events.append(f"closed:{name}")
                        break
            self.close_connection = True

        def _record(self, method: str, body: Any) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            server.requests.append({"method": method, "path": self.path, "headers": headers, "body": body})

        def _authorised(self) -> bool:
            if server.api_key is None:
                return True
            given = self.headers.get("Authorization", "")
            if given == f"Bearer {server.api_key}":
                return True
            presented = given.removeprefix("Bearer ")
            self._error(401, f"Incorrect API key provided: {presented}. Check your key.", "authentication_error")
            return False

        # -- endpoints --------------------------------------------------------------------------
        def do_GET(self) -> None:
            self._record("GET", None)
            if not self._authorised():
                return
            if not self.path.endswith("/v1/models"):
                self._error(404, f"no route {self.path}", "not_found")
            elif server.models_endpoint == "missing":
                self._error(404, "Not Found", "not_found")
            elif server.models_endpoint == "garbage":
                data = b"<html><body>Welcome to nginx!</body></html>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            else:
                self._json(200, {"object": "list", "data": [
                    {"id": m, "object": "model", "created": 1, "owned_by": "scripted"} for m in CHAT_MODELS]})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            self._record("POST", body)
            if not self._authorised():
                return
            if not self.path.endswith("/v1/chat/completions"):
                self._error(404, f"no route {self.path}", "not_found")
                return
            model = body.get("model", "")
            if model not in CHAT_MODELS:
                self._error(404, f"The model `{model}` does not exist.", "not_found")
                return
            statuses = {"busy": (429, "Rate limit reached", "rate_limit"),
                        "broke": (500, "Internal error", "server_error"),
                        "poor": (402, "Insufficient Balance", "payment_required")}
            if model in statuses:
                self._error(*statuses[model])
                return
            if model == "stall-headers":
                self._wait_until_client_leaves(model)
                return
            getattr(self, "_reply_" + model.replace("-", "_"))(model, body)

        # -- scripted replies -------------------------------------------------------------------
        def _usage_wanted(self, body: dict[str, Any]) -> bool:
            return bool((body.get("stream_options") or {}).get("include_usage"))

        def _reply_deepseek_chat(self, model: str, body: dict[str, Any]) -> None:
            self._start_stream()
            self._event(_chunk(model, {"role": "assistant", "content": ""}))
            for piece in ANSWER:
                self._event(_chunk(model, {"content": piece}))
            self._event(_chunk(model, {}, "stop"))
            if self._usage_wanted(body):
                self._event(_chunk(model, usage={"prompt_tokens": 12, "completion_tokens": 5, "total_tokens": 17,
                                                 "prompt_cache_hit_tokens": 8, "prompt_cache_miss_tokens": 4}))
            self._end_stream()

        def _reply_deepseek_reasoner(self, model: str, body: dict[str, Any]) -> None:
            self._reasoning_reply(model, body, "reasoning_content")

        def _reply_vllm_reasoning(self, model: str, body: dict[str, Any]) -> None:
            self._reasoning_reply(model, body, "reasoning")

        def _reasoning_reply(self, model: str, body: dict[str, Any], field: str) -> None:
            self._start_stream()
            for piece in REASONING:
                self._event(_chunk(model, {field: piece, "content": None}))
            for piece in ANSWER:
                self._event(_chunk(model, {"content": piece}))
            self._event(_chunk(model, {}, "stop"))
            if self._usage_wanted(body):
                self._event(_chunk(model, usage={
                    "prompt_tokens": 20, "completion_tokens": 9, "total_tokens": 29,
                    "prompt_tokens_details": {"cached_tokens": 16},
                    "completion_tokens_details": {"reasoning_tokens": 4}}))
            self._end_stream()

        def _reply_inline_think(self, model: str, body: dict[str, Any]) -> None:
            self._start_stream()
            for piece in INLINE:
                self._event(_chunk(model, {"content": piece}))
            self._event(_chunk(model, {}, "stop"))
            self._end_stream()

        def _reply_long(self, model: str, body: dict[str, Any]) -> None:
            self._start_stream()
            for i in range(int(body.get("max_tokens") or 16)):
                self._event(_chunk(model, {"content": f" word{i}"}))
            self._event(_chunk(model, {}, "length"))
            self._end_stream()

        def _reply_drop(self, model: str, body: dict[str, Any]) -> None:
            self._start_stream()
            for piece in ANSWER[:2]:
                self._event(_chunk(model, {"content": piece}))
            # cut the connection inside the chunked body, as a crashed server or a lost network does
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True

        def _reply_stall(self, model: str, body: dict[str, Any]) -> None:
            self._start_stream()
            self._event(_chunk(model, {"content": ANSWER[0]}))
            self._wait_until_client_leaves(model)

        def _reply_escapes(self, model: str, body: dict[str, Any]) -> None:
            self._start_stream()
            for piece in ESCAPES:
                self._event(_chunk(model, {"content": piece}))
            self._event(_chunk(model, {}, "stop"))
            self._end_stream()

        def _reply_surrogate(self, model: str, body: dict[str, Any]) -> None:
            self._start_stream()
            self._event(_chunk(model, {"content": "half \ud83d"}))  # json.dumps writes it as "\ud83d"
            self._event(_chunk(model, {"content": " and on"}))
            self._event(_chunk(model, {}, "stop"))
            self._end_stream()

        def _reply_garbage(self, model: str, body: dict[str, Any]) -> None:
            self._start_stream()
            self._event("{this is not json")
            self._end_stream()

    return Handler
