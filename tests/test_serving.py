"""`groupsup serve` lets in only the page it serves, and only so many screens at once."""

from __future__ import annotations

import asyncio
import shlex
import socket

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from groupsup.observers.serving import ObserversServer


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
async def serving(tmp_path):
    """A server whose connections each run a stand-in for `groupsup join`: it notes the
    arguments it was given and waits until told to quit."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    told = tmp_path / "told"
    stand_in = f'echo "$@" >> {shlex.quote(str(told))}; head -c 1 > /dev/null'
    server = ObserversServer(f"sh -c {shlex.quote(stand_in)} join", "127.0.0.1", port, url)
    async with TestServer(await server._make_app(), host="127.0.0.1", port=port):
        async with aiohttp.ClientSession() as http:
            yield server, http, url, told
            await until(lambda: server.connections == 0)  # each stand-in quits with its screen


async def until(condition) -> None:
    """Look again every tenth of a second until `condition()` holds: the server and its
    processes take their time on a loaded machine, and the test's timeout catches a hang."""
    while not condition():
        await asyncio.sleep(0.1)


async def refused(http, url: str, origin: str) -> int:
    with pytest.raises(aiohttp.WSServerHandshakeError) as caught:
        await http.ws_connect(f"{url}/ws", headers={"Origin": origin})
    return caught.value.status


async def test_a_foreign_origin_is_refused(serving):
    _, http, url, _ = serving
    assert await refused(http, url, "http://evil.example") == 403
    assert await refused(http, url, "http://127.0.0.1:1") == 403
    with pytest.raises(aiohttp.WSServerHandshakeError):
        await http.ws_connect(f"{url}/ws")  # no Origin at all
    socket_ = await http.ws_connect(f"{url}/ws", headers={"Origin": url})
    await socket_.close()


async def test_the_eleventh_screen_is_refused_and_each_is_told_its_address(serving):
    server, http, url, told = serving
    screens = [await http.ws_connect(f"{url}/ws", headers={"Origin": url}) for _ in range(10)]
    assert await refused(http, url, url) == 503
    await screens.pop().close()
    await until(lambda: server.connections < 10)  # once the closed screen's process has quit
    screens.append(await http.ws_connect(f"{url}/ws", headers={"Origin": url}))
    for screen in screens:
        await screen.close()
    started = 11  # ten, then one in the closed screen's place
    await until(lambda: told.exists() and len(told.read_text().splitlines()) == started)
    assert set(told.read_text().splitlines()) == {"--from 127.0.0.1"}
