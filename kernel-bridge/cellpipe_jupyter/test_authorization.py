"""What an admin relies on: jupyter_server's authorizer decides, the server picks the Python, sockets check the origin."""

import json
import sys

import pytest
from jupyter_server.auth.authorizer import Authorizer
from jupyter_server.auth.identity import IdentityProvider, User
from tornado.httpclient import HTTPClientError

from .test_handlers import collect_until_finished, write_notebook


class ReadOnlyAuthorizer(Authorizer):
    def is_authorized(self, handler, user, action, resource):
        return action == "read"


class DenyAllAuthorizer(Authorizer):
    def is_authorized(self, handler, user, action, resource):
        return False


class NobodyIdentityProvider(IdentityProvider):
    """Knows no user, whatever the request carries."""

    def get_user(self, handler):
        return None


class BrowserUserIdentityProvider(IdentityProvider):
    """A user logged in by cookie, as in a browser: the case the origin check exists for (token requests skip it)."""

    def get_user(self, handler):
        return User(username="alice")


def server_config(**sections):
    return {"ServerApp": {"jpserver_extensions": {"cellpipe_jupyter": True}}, **sections}


@pytest.fixture
def jp_server_config(request, tmp_path_factory):
    config = getattr(request, "param", server_config())
    return config(tmp_path_factory) if callable(config) else config


def with_server(**sections):
    return pytest.mark.parametrize("jp_server_config", [server_config(**sections)], indirect=True)


async def status_of(fetch):
    try:
        return (await fetch).code
    except HTTPClientError as error:
        return error.code


@with_server(ServerApp={"jpserver_extensions": {"cellpipe_jupyter": True}, "authorizer_class": ReadOnlyAuthorizer})
async def test_read_only_user_lists_runs_but_cannot_start_or_cancel(jp_fetch, jp_ws_fetch, jp_root_dir):
    write_notebook(jp_root_dir, "nb.ipynb", [("a = 1", ["step:one"])])
    assert await status_of(jp_fetch("cellpipe", "runs", params={"path": "nb.ipynb"})) == 200
    assert await status_of(jp_fetch("cellpipe", "runs", method="POST", body=json.dumps({"path": "nb.ipynb"}))) == 403
    assert await status_of(jp_fetch("cellpipe", "runs", "some-run", "cancel", method="POST", body=b"")) == 403
    # Reading logs is allowed: the run is unknown, so 404 rather than 403.
    assert await status_of(jp_fetch("cellpipe", "runs", "some-run", "logs")) == 404
    socket = await jp_ws_fetch("cellpipe", "events")
    socket.close()
    assert not (jp_root_dir / ".cellpipe").exists()


@with_server(ServerApp={"jpserver_extensions": {"cellpipe_jupyter": True}, "authorizer_class": DenyAllAuthorizer})
async def test_authorizer_that_denies_everything_closes_every_endpoint(jp_fetch, jp_ws_fetch, jp_root_dir):
    write_notebook(jp_root_dir, "nb.ipynb", [("a = 1", ["step:one"])])
    assert await status_of(jp_fetch("cellpipe", "runs", params={"path": "nb.ipynb"})) == 403
    assert await status_of(jp_fetch("cellpipe", "runs", "some-run", "logs")) == 403
    with pytest.raises(HTTPClientError) as raised:
        await jp_ws_fetch("cellpipe", "events")
    assert raised.value.code == 403


@with_server(
    ServerApp={"jpserver_extensions": {"cellpipe_jupyter": True}, "identity_provider_class": NobodyIdentityProvider}
)
async def test_identity_provider_that_knows_nobody_is_refused_everywhere(jp_fetch, jp_ws_fetch, jp_root_dir):
    write_notebook(jp_root_dir, "nb.ipynb", [("a = 1", ["step:one"])])
    assert await status_of(jp_fetch("cellpipe", "runs", params={"path": "nb.ipynb"})) == 403
    assert await status_of(jp_fetch("cellpipe", "runs", method="POST", body=json.dumps({"path": "nb.ipynb"}))) == 403
    with pytest.raises(HTTPClientError) as raised:
        await jp_ws_fetch("cellpipe", "events")
    assert raised.value.code == 403


def python_link_config(tmp_path_factory):
    link = tmp_path_factory.mktemp("server-python") / "python-chosen-by-admin"
    link.symlink_to(sys.executable)
    return server_config(Cellpipe={"python": str(link)})


@pytest.mark.parametrize("jp_server_config", [python_link_config], indirect=True)
async def test_steps_run_with_the_python_the_server_configures(jp_fetch, jp_ws_fetch, jp_root_dir, jp_server_config):
    configured = jp_server_config["Cellpipe"]["python"]
    write_notebook(jp_root_dir, "nb.ipynb", [("a = 1", ["step:one"]), ("b = a + 1", ["step:two"])])
    with pytest.raises(HTTPClientError) as raised:
        body = json.dumps({"path": "nb.ipynb", "python": "/tmp/attacker-python"})
        await jp_fetch("cellpipe", "runs", method="POST", body=body)
    assert raised.value.code == 400
    assert json.loads(raised.value.response.body)["message"].startswith("python: set on the server")

    socket = await jp_ws_fetch("cellpipe", "events")
    response = await jp_fetch("cellpipe", "runs", method="POST", body=json.dumps({"path": "nb.ipynb"}))
    run_id = json.loads(response.body)["runId"]
    events = await collect_until_finished(socket, run_id)
    socket.close()
    assert events[-1]["state"] == "succeeded"
    record = json.loads((jp_root_dir / ".cellpipe" / "runs" / run_id / "run.json").read_text())
    assert record["python"] == configured


@with_server(
    ServerApp={
        "jpserver_extensions": {"cellpipe_jupyter": True},
        "identity_provider_class": BrowserUserIdentityProvider,
    }
)
async def test_events_socket_refuses_a_foreign_origin(jp_ws_fetch, jp_http_port):
    with pytest.raises(HTTPClientError) as raised:
        await jp_ws_fetch("cellpipe", "events", headers={"Origin": "http://attacker.example"})
    assert raised.value.code == 403
    socket = await jp_ws_fetch("cellpipe", "events", headers={"Origin": f"http://localhost:{jp_http_port}"})
    socket.close()
