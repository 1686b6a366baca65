"""`groupsup serve`: the observers' view in web browsers, through textual-serve.

textual-serve is configured, not copied: its server is subclassed to render our own page
template (every asset from this server, no web fonts from elsewhere, the terminal focused and
readable by screen readers), to print the address observers type, and to refuse connections
that should not get in.
"""

from __future__ import annotations

import ipaddress
import os
import shlex
import socket
import sys
from contextvars import ContextVar
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web
from textual_serve.server import Server

from groupsup.domain.errors import GroupsupError

TEMPLATES = Path(__file__).parent / "templates"
# textual.js builds its xterm.js terminal with fixed options; the page serves it with one more,
# screen-reader mode, so the terminal's text is also in the page for screen readers.
TERMINAL_OPTIONS = "allowProposedApi:!0,"
SCREEN_READER_ON = "allowProposedApi:!0,screenReaderMode:!0,"


def public_url(host: str, port: int, given: str | None) -> str:
    """The address observers type: `given` (--public-url), else one derived from the host."""
    if given is not None:
        parts = urlsplit(given.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise GroupsupError(
                f"--public-url {given!r} is not an address such as http://192.168.1.20:{port}."
            )
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise GroupsupError(
                f"--public-url {given!r} has a path: give only the scheme, host and port."
            )
        return f"{parts.scheme}://{parts.netloc}"
    if host in ("0.0.0.0", "::"):
        host = _this_machine()
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def _this_machine() -> str:
    """This machine's address on the local network (no packet is sent: UDP only picks a route)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.254.254.254", 1))
            return probe.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def check_host(host: str, port: int) -> bool:
    """Whether `host` is loopback; GroupsupError if it is not an address or the port is taken."""
    if not 1 <= port <= 65535:
        raise GroupsupError(f"--port {port} is not a port: use 1024 to 65535.")
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        raise GroupsupError(f"--host {host!r} is not an address such as 127.0.0.1.") from None
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError as error:
            raise GroupsupError(
                f"Port {port} on {host} cannot be used ({error.strerror}): "
                "choose another with --port."
            ) from None
    return loopback


def screen_reader_script() -> str:
    """textual-serve's textual.js with xterm.js's screen-reader mode switched on."""
    script = resources.files("textual_serve").joinpath("static/js/textual.js").read_text("utf-8")
    if script.count(TERMINAL_OPTIONS) != 1:
        print(
            "Warning: this textual-serve's textual.js is not the one groupsup knows: "
            "screen-reader mode is off.",
            file=sys.stderr,
        )
        return script
    return script.replace(TERMINAL_OPTIONS, SCREEN_READER_ON)


# The address of the browser whose connection is being set up (each request is its own task).
PEER: ContextVar[str] = ContextVar("peer", default="")
MAX_CONNECTIONS = 10  # observers' screens at once; each runs a `groupsup join` process


def join_command(store: Path | str) -> str:
    """The command each observer's screen runs. A database's location goes to it in the
    environment (GROUPSUP_STORE), never on a command line, where anyone on the machine could
    read it."""
    from groupsup.store.locations import STORE_VARIABLE, is_database

    groupsup = f"{shlex.quote(sys.executable)} -m groupsup"
    if is_database(store):
        os.environ[STORE_VARIABLE] = str(store)
        return f"{groupsup} join"
    return f"{groupsup} --store {shlex.quote(str(Path(store).resolve()))} join"


class ObserversServer(Server):
    def __init__(
        self, command: str, host: str, port: int, url: str, most: int = MAX_CONNECTIONS
    ) -> None:
        super().__init__(command, host=host, port=port, title="groupsup: observers", public_url=url)
        self.templates_path = TEMPLATES
        self.script = screen_reader_script()
        self.most, self.connections = most, 0

    @property
    def command(self) -> str:
        """What textual-serve runs for a connection: told the browser's address, so that wrong
        codes from one device count together (see joining.Gate)."""
        peer = PEER.get()
        return f"{self._command} --from {shlex.quote(peer)}" if peer else self._command

    @command.setter
    def command(self, command: str) -> None:
        self._command = command

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.router.add_get("/observers/textual.js", self.handle_script)
        return app

    async def handle_script(self, request: web.Request) -> web.Response:
        return web.Response(text=self.script, content_type="application/javascript")

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        # A page from anywhere else (open in the facilitator's browser, say) may not drive it.
        if request.headers.get("Origin") != self.public_url:
            raise web.HTTPForbidden(text="This page may only be used from " + self.public_url)
        if self.connections >= self.most:
            raise web.HTTPServiceUnavailable(
                text=f"All {self.most} observers' places are in use: ask the facilitator."
            )
        self.connections += 1
        PEER.set(request.remote or "")
        try:
            return await super().handle_websocket(request)
        finally:
            self.connections -= 1

    async def on_startup(self, app: web.Application) -> None:
        print(banner(self.public_url), flush=True)


def banner(url: str) -> str:
    import io

    import segno

    qr = io.StringIO()
    segno.make(url, error="m").terminal(out=qr, compact=True)
    return (
        f"{qr.getvalue()}\nObservers open {url} in a browser on this network (or scan the "
        "code above),\nthen type the join code shown on the facilitator's run screen. "
        "Ctrl+C stops serving."
    )
