"""Fixtures of the explorer tests: the example store (with and without an evaluation run), the app built
on it and in-process clients. Browser fixtures live in test_browser.py."""

from __future__ import annotations

import copy

import pytest
from fastapi.testclient import TestClient

from aicity.store import Store
from aicity.web import WebSettings, create_app

from .example_store import FRAMEWORK, RECIPE, XSS, example_store


@pytest.fixture(scope="session")
def core_store() -> Store:
    return example_store(with_run=False)


@pytest.fixture(scope="session")
def core_app(core_store: Store):
    return create_app(core_store, WebSettings(warm_up=False))


@pytest.fixture()
def core_client(core_app) -> TestClient:
    return TestClient(core_app, raise_server_exceptions=False)


@pytest.fixture(scope="session")
def xss() -> str:
    return XSS


@pytest.fixture(scope="session")
def run_store() -> Store:
    return example_store()


@pytest.fixture(scope="session")
def run_app(run_store: Store):
    return create_app(run_store, WebSettings())


@pytest.fixture()
def client(run_app) -> TestClient:
    return TestClient(run_app, raise_server_exceptions=False)


@pytest.fixture(scope="session")
def framework_spec() -> dict:
    return copy.deepcopy(FRAMEWORK)


@pytest.fixture(scope="session")
def recipe_spec() -> dict:
    return copy.deepcopy(RECIPE)
