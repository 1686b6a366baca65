"""A PostgreSQL server of the tests' own, in a temporary folder, reached on a Unix socket there.

Debian's `postgresql` package provides the programs. They refuse to run as root, and the tests
(like CI) run as root: the server then runs as the `postgres` user, in a folder it owns.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

BIN_FOLDERS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def programs() -> Path | None:
    """The folder of the newest installed server's programs, if any."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    return next((folder for folder in BIN_FOLDERS if (folder / "initdb").exists()), None)


PREFIX = "groupsup-pg-"
OWNER_FILE = "test-run.pid"  # the test run's process, which stops the server when it ends


class Server:
    """A throwaway server: `start()`, then `location(schema)` for each test, then `stop()`."""

    def __init__(self, bin_folder: Path, folder: Path | None = None) -> None:
        self.bin = bin_folder
        self._as_root = os.geteuid() == 0
        self.port: int | None = None
        if folder is None:
            folder = Path(tempfile.mkdtemp(prefix=PREFIX))
            (folder / OWNER_FILE).write_text(str(os.getpid()))
            if self._as_root:
                owner = pwd.getpwnam("postgres")
                os.chown(folder, owner.pw_uid, owner.pw_gid)
        self.folder = folder
        self.data = self.folder / "data"

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if self._as_root else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, text=True)

    def start(self, port: int | None = None, fsync: bool = False) -> None:
        """Start the server on a Unix socket in its folder; with `port`, on loopback too (the
        benchmark's). Tests turn fsync off: they need no crash safety, only speed."""
        self._run(
            str(self.bin / "initdb"),
            "-D", str(self.data), "--auth=trust", "-U", "postgres", "--no-sync",
            "-E", "UTF8", "--locale=C",
        )  # fmt: skip
        listen = f"-c listen_addresses=127.0.0.1 -p {port}" if port else "-c listen_addresses=''"
        settings = f"-k {self.folder} {listen} -c fsync={'on' if fsync else 'off'}"
        settings += " -c max_connections=300"
        self.port = port
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "log"),
            "-w", "-o", settings, "start",
        )  # fmt: skip

    def location(self, database: str = "postgres", schema: str | None = None) -> str:
        """A connection URI (on loopback if the server listens there); with `schema`, every
        table the store makes goes there."""
        options = f"&options=-csearch_path%3D{schema}" if schema else ""
        if self.port:
            return f"postgresql://postgres@127.0.0.1:{self.port}/{database}?{options[1:]}"
        return f"postgresql:///{database}?host={self.folder}&user=postgres{options}"

    @classmethod
    def stop_abandoned(cls, bin_folder: Path) -> None:
        """Stop the servers of test runs that ended without stopping them (killed, or cut off
        by a timeout): a server whose run is still going is left alone."""
        for folder in Path(tempfile.gettempdir()).glob(f"{PREFIX}*"):
            try:
                run = int((folder / OWNER_FILE).read_text())
            except (OSError, ValueError):
                continue  # not one this module made
            if not _running(run):
                with contextlib.suppress(subprocess.CalledProcessError):  # already down
                    cls(bin_folder, folder).stop()

    def stop(self) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
