"""``deepseek-desktop serve`` as a user runs it: a real process, real clients, Ctrl+C (SIGINT) to stop."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys

import ollama
import openai
import psutil

CLI = [sys.executable, "-m", "deepseek_desktop"]


def test_serve_simulator_answers_and_ctrl_c_stops_cleanly():
    proc = subprocess.Popen(
        CLI + ["serve", "--model", "simulator", "--port", "0", "--ollama-port", "0", "--words-per-second", "2000"],
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    try:
        line = proc.stderr.readline()  # blocks until the server says where it listens
        found = re.search(r"at (http://127\.0\.0\.1:\d+/v1) \(OpenAI\)", line)
        assert found, line
        host_pids = [c.pid for c in psutil.Process(proc.pid).children(recursive=True)]
        assert host_pids  # the engine host
        done = openai.OpenAI(base_url=found.group(1), api_key="none", max_retries=0).chat.completions.create(
            model="simulator", messages=[{"role": "user", "content": "Was ist MoE?"}]
        )
        assert done.choices[0].message.content and done.usage.completion_tokens > 0
        proc.send_signal(signal.SIGINT)
        rest = proc.stderr.read()
        assert proc.wait() == 0, rest
        assert "Stopping." in rest and "Traceback" not in rest
        assert not any(psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE for p in host_pids)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_serve_both_dialects_on_given_ports():
    proc = subprocess.Popen(
        CLI + ["serve", "--model", "simulator", "--port", "0", "--ollama-port", "0"], stderr=subprocess.PIPE, text=True
    )
    try:
        line = proc.stderr.readline()
        assert "(OpenAI)" in line and "(Ollama)" not in line  # --ollama-port 0: no Ollama dialect
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait()
    proc = subprocess.Popen(
        CLI + ["serve", "--model", "simulator", "--port", "0"], stderr=subprocess.PIPE, text=True, env={**os.environ}
    )
    try:
        line = proc.stderr.readline()
        found = re.search(r"and (http://127\.0\.0\.1:\d+) \(Ollama\)", line)
        if found:  # the default Ollama port 11435 was free
            assert [m.model for m in ollama.Client(host=found.group(1)).list().models] == ["simulator"]
        else:
            assert "cannot listen" in line or "11435" in line
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait()


def test_serve_on_other_address_without_key_is_refused():
    r = subprocess.run(
        CLI + ["serve", "--model", "simulator", "--host", "0.0.0.0", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode != 0
    assert "API key" in r.stderr and "Traceback" not in r.stderr
