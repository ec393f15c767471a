"""A real kofo server for the browser tests: migrate, load the demo, ``kofo serve`` on a free port.

Not pytest-django's live_server: its SQLite flush conflicts with the append-only triggers. The server
runs as a subprocess on its own SQLite file in a temporary directory, exactly as ``make run`` starts it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SERVER_START_SECONDS_MAX = 30
KOFO = Path(sys.executable).with_name("kofo")

DEMO_LOGINS = {
    "admin": "Admin-Demo-2026!",
    "innendienst": "Innen-Demo-2026!",
    "aussendienst": "Aussen-Demo-2026!",
    "partner": "Partner-Demo-2026!",
    "pruefung": "Pruefung-Demo-2026!",
}


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    if Path(CHROMIUM).exists():
        return
    skip = pytest.mark.skip(
        reason=f"{CHROMIUM} fehlt: Browser-Tests brauchen Debians Chromium (apt install chromium)"
    )
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(
        [str(KOFO), *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"kofo {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")


@pytest.fixture(scope="session")
def kofo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a running kofo with the demo data."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} fehlt")
    data_dir = tmp_path_factory.mktemp("kofo-e2e")
    env = {key: value for key, value in os.environ.items() if key != "KOFO_DATABASE_URL"}
    env.update({"KOFO_DATA_DIR": str(data_dir), "KOFO_DEBUG": "1"})
    env.pop("DJANGO_SETTINGS_MODULE", None)
    _run(["migrate", "--no-input"], env)
    _run(["demo", "--quiet"], env)

    port = _free_port()
    log = (data_dir / "serve.log").open("w")
    server = subprocess.Popen(
        [str(KOFO), "serve", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS_MAX
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"kofo serve ended early:\n{(data_dir / 'serve.log').read_text()}")
            try:
                with urllib.request.urlopen(f"{base_url}/api/v1/health", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"kofo serve answered /api/v1/health not within {SERVER_START_SECONDS_MAX} s"
                )
            time.sleep(0.2)
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any, kofo_server: str) -> Iterator[Any]:
    context = browser.new_context(
        base_url=kofo_server, locale="de-DE", viewport={"width": 1366, "height": 900}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def login(page: Any) -> Callable[[str], None]:
    """``login("admin")``: log in with a demo account through the login form, land on the dashboard."""

    def do_login(username: str) -> None:
        page.goto("/")
        page.get_by_label("Benutzername").fill(username)
        page.get_by_label("Passwort").fill(DEMO_LOGINS[username])
        page.get_by_role("button", name="Anmelden").click()
        page.wait_for_url("**/")

    return do_login
