import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def gazetteer():
    from mapapp.gazetteer import load_gazetteer

    return load_gazetteer()


@pytest.fixture(scope="session")
def seed_db(tmp_path_factory):
    """A store with the seed articles ingested, shared by the tests that only read it."""
    from mapapp.articles import seed_articles
    from mapapp.store import Store

    path = tmp_path_factory.mktemp("seed_store") / "mapapp.sqlite"
    with Store(path) as store:
        for article in seed_articles():
            store.add_article(article)
    return path


@pytest.fixture()
def tmp_db(tmp_path, monkeypatch):
    path = tmp_path / "mapapp.sqlite"
    monkeypatch.setenv("MAPAPP_DB", str(path))
    return path


def run_cli(*args, env=None, input_bytes=None, timeout=120):
    """The CLI as a user runs it: a subprocess, stdout/stderr/exit code."""
    import subprocess

    full_env = dict(os.environ, **(env or {}))
    return subprocess.run([sys.executable, "-m", "mapapp", *map(str, args)], cwd=ROOT, env=full_env,
                          input=input_bytes, capture_output=True, timeout=timeout)
