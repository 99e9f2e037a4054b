"""API keys: in the OS keyring when there is one, in memory for the session when there is none,
never in a file or a log. The keyring service itself cannot run here, so a small in-memory backend
stands in for it (an honest fake of the OS service, not of our code)."""

from __future__ import annotations

import logging
import threading

import keyring
import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null

from deepseek_desktop.core.secrets import SERVICE_NAME, SecretStore, backend_is_usable
from deepseek_desktop.core.settings.store import SettingsStore

KEY = "sk-test-4f9a1c2b7e0d"


class MemoryKeyring(KeyringBackend):
    """Behaves like the OS keyrings: passwords by (service, user), PasswordDeleteError when absent."""

    priority = 5

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.entries.get((service, username))

    def set_password(self, service, username, password):
        self.entries[(service, username)] = password

    def delete_password(self, service, username):
        try:
            del self.entries[(service, username)]
        except KeyError:
            raise keyring.errors.PasswordDeleteError("no such password") from None


class LockedKeyring(MemoryKeyring):
    """A Secret Service whose collection stays locked (the user dismissed the unlock dialog)."""

    def set_password(self, service, username, password):
        raise keyring.errors.KeyringLocked("collection is locked")

    def get_password(self, service, username):
        raise keyring.errors.KeyringLocked("collection is locked")


class EmptyChainer(chainer.ChainerBackend):
    """keyring's chainer on a machine where it found no backend to chain."""

    backends = ()


class PlaintextFileLike(MemoryKeyring):
    priority = 0.5  # what keyrings.alt's plaintext file backend reports


@pytest.fixture
def system_keyring():
    """Install the in-memory backend as keyring's process-wide backend for one test, then restore."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def all_files_text(root) -> str:
    return "".join(p.read_text(encoding="utf-8", errors="replace") for p in root.rglob("*") if p.is_file())


def test_keys_go_to_the_system_keyring(system_keyring, app_home, caplog):
    with caplog.at_level(logging.DEBUG):
        secrets = SecretStore()  # picks keyring's configured backend
        assert secrets.persistent
        secrets.set("DeepSeek API", f"  {KEY}\n")  # pasted with a line break
        assert system_keyring.entries == {(SERVICE_NAME, "DeepSeek API"): KEY}
        assert SecretStore().get("DeepSeek API") == KEY  # the next session finds it
        assert secrets.take_notices() == []
        secrets.delete("DeepSeek API")
        secrets.delete("DeepSeek API")  # deleting twice is fine
        assert SecretStore().get("DeepSeek API") is None
    assert KEY not in caplog.text
    assert not app_home.exists() or KEY not in all_files_text(app_home)


def test_renaming_an_endpoint_moves_its_key():
    backend = MemoryKeyring()
    secrets = SecretStore(backend)
    secrets.set("vLLM", KEY)
    secrets.rename("vLLM", "vLLM-Cluster")
    assert secrets.get("vLLM") is None and secrets.get("vLLM-Cluster") == KEY
    secrets.set("vLLM-Cluster", "")  # an empty key removes it
    assert backend.entries == {}


@pytest.mark.parametrize("backend", [fail.Keyring(), EmptyChainer(), null.Keyring(), PlaintextFileLike()],
                         ids=["fail", "empty-chainer", "null", "plaintext-file"])
def test_without_a_usable_keyring_keys_live_for_the_session_only(backend, app_home, caplog):
    assert not backend_is_usable(backend)
    with caplog.at_level(logging.DEBUG):
        secrets = SecretStore(backend)
        assert not secrets.persistent
        secrets.set("DeepSeek API", KEY)
        assert secrets.get("DeepSeek API") == KEY  # works for this session
        [notice] = secrets.take_notices()
        assert (notice.message_id, notice.params) == ("secrets.no_keyring", {"name": "DeepSeek API"})
        assert "kept only until the app closes" in notice.text()
        assert SecretStore(backend).get("DeepSeek API") is None  # the next session does not have it
    assert KEY not in caplog.text
    assert not app_home.exists() or KEY not in all_files_text(app_home)
    if isinstance(backend, PlaintextFileLike):
        assert backend.entries == {}  # nothing was handed to a file-based backend


def test_the_fail_backend_set_with_set_keyring_is_detected():
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        assert not SecretStore().persistent
    finally:
        keyring.set_keyring(previous)


def test_a_keyring_that_refuses_keeps_the_key_for_the_session(caplog):
    secrets = SecretStore(LockedKeyring())
    assert secrets.persistent  # the backend exists; it refused this time
    with caplog.at_level(logging.DEBUG):
        secrets.set("Server", KEY)
        assert secrets.get("Server") == KEY
    [notice] = secrets.take_notices()
    assert notice.message_id == "secrets.keyring_failed"
    assert KEY not in caplog.text and "KeyringLocked" in caplog.text


def test_keys_never_reach_the_settings_file(app_home):
    settings = SettingsStore(app_home / "config" / "settings.json")
    secrets = SecretStore(MemoryKeyring())
    settings.set("remote.endpoints", [{"name": "DeepSeek API", "base_url": "https://api.deepseek.com/v1",
                                       "model": "deepseek-reasoner", "api_key": KEY}])
    secrets.set("DeepSeek API", KEY)
    assert KEY not in all_files_text(app_home)
    assert "api_key" not in settings.get("remote.endpoints")[0]


class SlowToStartKeyring(MemoryKeyring):
    """A Secret Service that takes a while to say whether it runs (D-Bus starting it): long enough for
    a second thread to ask for the key store as well. It turns out not to run, so keys are kept for the
    session, in memory, in whichever store they were given to."""

    def __init__(self, both_asking: threading.Barrier) -> None:
        super().__init__()
        self.both_asking = both_asking

    @property
    def priority(self):  # noqa: D102 - keyring reads this to decide whether a backend can be used
        self.both_asking.wait()  # times out (and the backend counts as unusable) if only one thread asks
        return 0


def test_the_window_has_one_key_store_for_all_its_threads(make_gui):
    """The settings' endpoint editor and the model switcher reach the store from worker threads. Made
    lazily by two of them at once, there were two stores and a session-only key was lost with one."""
    previous = keyring.get_keyring()
    keyring.set_keyring(SlowToStartKeyring(threading.Barrier(2, timeout=1.0)))
    try:
        gui = make_gui(start=False)

        def store_key(name: str, key: str) -> None:
            gui.services.secrets().set(name, key)

        threads = [threading.Thread(target=store_key, args=(f"server {i}", f"sk-{i}-{KEY}")) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        store = gui.services.secrets()
        assert not store.persistent
        assert [store.get(f"server {i}") for i in range(2)] == [f"sk-{i}-{KEY}" for i in range(2)]
    finally:
        keyring.set_keyring(previous)
