"""Base URLs whose host no HTTP client takes (an IPv4 address out of range, a name that is not valid IDNA)
are refused where the URL comes in, as a wrong address, instead of failing later as "the model failed"."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from deepseek_desktop.core.errors import DeepSeekError
from deepseek_desktop.core.server_url import check_base_url, is_base_url

BAD_HOSTS = ["256.256.256.256", "1.2.3.999", "ex\u200dample.com", "a..b", "-x-.example", "xn--zz.example",
             "\u0661\u06f1.example", "a" * 64 + ".example"]
GOOD_HOSTS = ["127.0.0.1", "[::1]", "localhost", "api.deepseek.com", "bücher.example", "xn--bcher-kva.example",
              "gpu-box", "10.0.0.7:8000", "my_server.lan"]


@pytest.mark.parametrize("host", BAD_HOSTS)
def test_a_host_no_client_takes_is_a_bad_url(host):
    url = f"http://{host}/v1"
    assert not is_base_url(url)
    with pytest.raises(DeepSeekError) as err:
        check_base_url(url)
    assert err.value.message_id == "remote.bad_url"


@pytest.mark.parametrize("host", GOOD_HOSTS)
def test_real_hosts_pass(host):
    assert check_base_url(f"https://{host}/v1") == f"https://{host}/v1"


def test_the_cli_says_the_address_is_wrong():
    r = subprocess.run([sys.executable, "-m", "deepseek_desktop", "chat", "--base-url", "http://256.256.256.256/v1",
                        "--model", "m", "--prompt", "hi"], capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, DEEPSEEK_API_KEY="sk-test-0123456789"))
    assert r.returncode == 2
    [line] = r.stderr.strip().splitlines()
    assert "256.256.256.256" in line and "failed" not in line
