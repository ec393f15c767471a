"""Configuration comes from the environment; production refuses the default secret key (issue 2, item 2)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

SETUP = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='kofo.settings'; django.setup(); "


def run_settings(env: dict[str, str], code: str = "") -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("KOFO_")}
    base.update(env)
    return subprocess.run(
        [sys.executable, "-c", SETUP + code],
        env=base,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_refuses_to_start_without_secret_key() -> None:
    result = run_settings({"KOFO_DEBUG": "0"})
    assert result.returncode != 0
    assert "KOFO_SECRET_KEY ist nicht gesetzt" in result.stderr


def test_production_refuses_short_secret_key() -> None:
    result = run_settings({"KOFO_DEBUG": "0", "KOFO_SECRET_KEY": "kurz"})
    assert result.returncode != 0
    assert "zu kurz" in result.stderr


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"KOFO_DEBUG": "1"}, "sqlite3|kofo.sqlite3|de-de|Europe/Berlin|True"),
        (
            {
                "KOFO_DEBUG": "0",
                "KOFO_SECRET_KEY": "x" * 50,
                "KOFO_DATABASE_URL": "postgresql://u@db.example:5432/kofo",
            },
            "postgresql|kofo|de-de|Europe/Berlin|True",
        ),
    ],
)
def test_settings_from_environment(env: dict[str, str], expected: str) -> None:
    code = (
        "from django.conf import settings as s; from pathlib import Path; db = s.DATABASES['default']; "
        "print('|'.join([db['ENGINE'].rsplit('.',1)[-1], Path(str(db['NAME'])).name, s.LANGUAGE_CODE, s.TIME_ZONE, "
        "str(s.USE_TZ)]))"
    )
    result = run_settings(env, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_allowed_hosts_and_data_dir_from_environment(tmp_path: object) -> None:
    code = "from django.conf import settings as s; print(s.ALLOWED_HOSTS, s.DATA_DIR)"
    result = run_settings(
        {
            "KOFO_DEBUG": "1",
            "KOFO_ALLOWED_HOSTS": "kofo.example, intern.example",
            "KOFO_DATA_DIR": str(tmp_path),
        },
        code,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"['kofo.example', 'intern.example'] {tmp_path}"


def test_unsupported_database_is_refused() -> None:
    result = run_settings({"KOFO_DEBUG": "1", "KOFO_DATABASE_URL": "mysql://root@127.0.0.1/test"})
    assert result.returncode != 0
    assert "wird nicht unterstützt" in result.stderr
