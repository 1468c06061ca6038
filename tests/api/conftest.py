"""API fixtures: a personal token for each coach persona and a small JSON client."""

import json

import pytest

from followthrough.accounts.tokens import api_token_create


class Api:
    """Django's test client speaking JSON with a bearer token (or none)."""

    def __init__(self, client, raw=None):
        self.client = client
        self.raw = raw

    def _headers(self):
        return {"Authorization": f"Bearer {self.raw}"} if self.raw else {}

    def get(self, path, **params):
        return self.client.get(path, params, headers=self._headers())

    def send(self, method, path, payload=None):
        body = json.dumps(payload if payload is not None else {}, default=str)
        return getattr(self.client, method)(path, body, content_type="application/json",
                                            headers=self._headers())

    def post(self, path, payload=None):
        return self.send("post", path, payload)

    def patch(self, path, payload=None):
        return self.send("patch", path, payload)


def token_for(coach):
    _, raw = api_token_create(coach=coach, name="tests", by=coach.user)
    return raw


@pytest.fixture
def api_for(client):
    """An Api for a coach's fresh token; with None, one that sends no token (the session)."""
    return lambda coach=None: Api(client, token_for(coach) if coach is not None else None)


@pytest.fixture
def api(client, coach):
    return Api(client, token_for(coach))


@pytest.fixture
def colleague_api(client, colleague):
    return Api(client, token_for(colleague))


@pytest.fixture
def outsider_api(client, outsider):
    return Api(client, token_for(outsider))


@pytest.fixture
def anonymous_api(client):
    return Api(client)
