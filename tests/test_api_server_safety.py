"""The local API server's guard rails: bad requests, keys, origins, Host header, sizes, bind address."""

from __future__ import annotations

import http.client
import json
import logging

import httpx
import openai
import pytest
from api_server_harness import ServedApp

from deepseek_desktop.api_server.app import LocalServer, ServerConfig, ServerRefused, check_config
from deepseek_desktop.core.requests import LoadParams

SECRET_WORDS = "purple-elephant-4711"


@pytest.fixture
def served(app_home):
    apps: list[ServedApp] = []

    def make(**config) -> ServedApp:
        cfg = ServerConfig(**{"openai_port": 0, "ollama_port": 0, **config})
        app = ServedApp("simulator", LoadParams(words_per_second=2000.0), cfg, app_home)
        apps.append(app)
        return app.start()

    yield make
    for app in apps:
        app.close()


def _chat(**extra):
    return {"model": "simulator", "messages": [{"role": "user", "content": "hi"}], **extra}


BAD = [
    # (body, status, param, code)
    (b"{not json", 400, None, "invalid_json"),
    (b"[1, 2]", 400, None, "invalid_json"),
    (b"", 400, None, "invalid_json"),
    (
        json.dumps({"messages": [{"role": "user", "content": "hi"}]}).encode(),
        400,
        "model",
        "missing_required_parameter",
    ),
    (json.dumps({"model": "simulator"}).encode(), 400, "messages", "missing_required_parameter"),
    (json.dumps({"model": "simulator", "messages": []}).encode(), 400, "messages", "invalid_value"),
    (json.dumps({"model": 5, "messages": []}).encode(), 400, "model", "invalid_type"),
    (
        json.dumps({"model": "simulator", "messages": [{"role": "wizard", "content": "x"}]}).encode(),
        400,
        "messages[0].role",
        "invalid_value",
    ),
    (
        json.dumps({"model": "simulator", "messages": [{"role": "user", "content": 7}]}).encode(),
        400,
        "messages[0].content",
        "invalid_type",
    ),
    (json.dumps(_chat(temperature="hot")).encode(), 400, "temperature", "invalid_type"),
    (json.dumps(_chat(temperature=3.5)).encode(), 400, "temperature", "invalid_value"),
    (json.dumps(_chat(top_p=-0.1)).encode(), 400, "top_p", "invalid_value"),
    (json.dumps(_chat(max_tokens=0)).encode(), 400, "max_tokens", "invalid_value"),
    (json.dumps(_chat(max_tokens=True)).encode(), 400, "max_tokens", "invalid_type"),
    (json.dumps(_chat(stop=[1])).encode(), 400, "stop", "invalid_type"),
    (json.dumps(_chat(stream="yes")).encode(), 400, "stream", "invalid_type"),
    (
        json.dumps(_chat(stream_options={"include_usage": 1})).encode(),
        400,
        "stream_options.include_usage",
        "invalid_type",
    ),
    (json.dumps(_chat(n=3)).encode(), 400, "n", "invalid_value"),
    (json.dumps(_chat(model="gpt-9")).encode(), 404, "model", "model_not_found"),
]


@pytest.mark.parametrize(("body", "status", "param", "code"), BAD)
def test_bad_requests_get_openai_error_bodies(served, body, status, param, code):
    app = served()
    r = httpx.post(app.url() + "/chat/completions", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == status
    error = r.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert (error["param"], error["code"]) == (param, code)
    assert error["message"] and "Traceback" not in r.text


def test_ollama_bad_options_and_unknown_route(served):
    app = served()
    r = httpx.post(app.url("ollama") + "/api/chat", json={**_chat(), "options": {"temperature": "x"}})
    assert r.status_code == 400 and r.json()["error"]["param"] == "options.temperature"
    r = httpx.get(app.url() + "/nowhere")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_body_over_the_limit_is_413(served):
    app = served(max_body=64 * 1024)
    big = _chat(messages=[{"role": "user", "content": "x" * 100_000}])
    r = httpx.post(app.url() + "/chat/completions", json=big)
    assert r.status_code == 413 and r.json()["error"]["code"] == "request_too_large"

    def chunks():
        yield json.dumps(big).encode()

    r = httpx.post(app.url() + "/chat/completions", content=chunks())  # chunked: no Content-Length
    assert r.status_code == 413


def test_api_key_required_when_set(served):
    app = served(api_key="s3cret")
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=app.url(), api_key="wrong", max_retries=0).models.list()
    r = httpx.get(app.url() + "/models")
    assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_api_key"
    ok = openai.OpenAI(base_url=app.url(), api_key="s3cret", max_retries=0).models.list()
    assert ok.data[0].id == "simulator"


def test_non_loopback_bind_without_key_is_refused(served):
    with pytest.raises(ServerRefused):
        check_config(ServerConfig(host="0.0.0.0"))
    with pytest.raises(ServerRefused):
        served(host="0.0.0.0")
    check_config(ServerConfig(host="0.0.0.0", api_key="k"))  # with a key it may start
    check_config(ServerConfig(host="::1"))
    assert LocalServer.__init__  # the refusal comes before any socket is opened (start raised above)


def test_cors_only_for_listed_origins(served):
    app = served(allowed_origins=("http://good.example",))
    pre = {"Access-Control-Request-Method": "POST"}
    ok = httpx.options(app.url() + "/chat/completions", headers={**pre, "Origin": "http://good.example"})
    assert ok.status_code == 204 and ok.headers["Access-Control-Allow-Origin"] == "http://good.example"
    bad = httpx.options(app.url() + "/chat/completions", headers={**pre, "Origin": "http://evil.example"})
    assert bad.status_code == 403 and "Access-Control-Allow-Origin" not in bad.headers
    post = httpx.post(app.url() + "/chat/completions", json=_chat(), headers={"Origin": "http://evil.example"})
    assert post.status_code == 403 and post.json()["error"]["code"] == "origin_not_allowed"
    good = httpx.post(
        app.url() + "/chat/completions", json=_chat(stream=True), headers={"Origin": "http://good.example"}
    )
    assert good.status_code == 200 and good.headers["Access-Control-Allow-Origin"] == "http://good.example"


def test_host_header_of_another_name_is_refused(served):
    app = served()
    port = app.server.ports["openai"]
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("GET", "/v1/models", headers={"Host": f"rebound.evil.example:{port}"})
    r = conn.getresponse()
    assert r.status == 403 and json.loads(r.read())["error"]["code"] == "host_not_allowed"
    conn.request("GET", "/v1/models", headers={"Host": f"localhost:{port}"})
    assert conn.getresponse().status == 200
    conn.close()


def test_request_content_is_never_logged(served, caplog):
    app = served()
    with caplog.at_level(logging.DEBUG):
        httpx.post(app.url() + "/chat/completions", json=_chat(messages=[{"role": "user", "content": SECRET_WORDS}]))
        httpx.post(app.url() + "/chat/completions", content=b'{"model": "' + SECRET_WORDS.encode() + b'"')
    assert "status=200" in caplog.text and "status=400" in caplog.text
    assert SECRET_WORDS not in caplog.text


def test_max_tokens_is_clamped_to_the_context():
    from deepseek_desktop.api_server.handler import Sampling
    from deepseek_desktop.api_server.jobs import clamp_max_tokens
    from deepseek_desktop.core.requests import GenerationParams

    def clamped(requested: int | None, default: int, context: int) -> int:
        """As the handler does it: the request's value over the user's default, then the context's bound."""
        return clamp_max_tokens(Sampling(max_tokens=requested).over(GenerationParams(max_tokens=default)).max_tokens,
                                context)

    assert clamped(100_000, 256, 4096) == 4096
    assert clamped(None, 8192, 4096) == 4096
    assert clamped(300, 256, 4096) == 300
    assert clamped(100_000, 256, 0) == 100_000  # no context (simulator, remote): as asked
