"""Servers the class-scale tests start themselves and stop after: a private PostgreSQL (initdb + pg_ctl on a
port of its own, trust login on 127.0.0.1 only). Skipped with the reason where the machine has none, failed
instead where CI asks for them (SMARKETING_REQUIRE_HUB=1)."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

REQUIRED = os.environ.get("SMARKETING_REQUIRE_HUB") == "1"


def unavailable(reason: str):
    """Skip with ``reason``, or fail where CI requires the class-scale tests to run."""
    if REQUIRED:
        pytest.fail(f"SMARKETING_REQUIRE_HUB=1 but {reason}")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def postgres_bin() -> Path | None:
    """The folder of PostgreSQL's server programs: on the PATH, or where Debian puts them."""
    found = shutil.which("initdb") or next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)),
                                           None)
    return Path(found).resolve().parent if found else None


@dataclass
class Postgres:
    """A running PostgreSQL server of the test's own."""

    port: int
    folder: Path
    bin: Path
    as_user: list[str]

    def database(self, name: str) -> str:
        """A new, empty database; its SQLAlchemy URL (psycopg 3)."""
        subprocess.run([self.bin / "createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "smarketing", name],
                       check=True, capture_output=True, text=True)
        return f"postgresql+psycopg://smarketing@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        subprocess.run([*self.as_user, self.bin / "pg_ctl", "-D", self.folder / "data", "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(self.folder, ignore_errors=True)


def start_postgres() -> Postgres:
    """Start a private PostgreSQL. initdb refuses to run as root: as root, the server runs as the ``postgres``
    user that Debian's package creates."""
    bin_folder = postgres_bin()
    if bin_folder is None:
        unavailable("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    folder = Path(tempfile.mkdtemp(prefix="smarketing-postgres-"))
    as_user: list[str] = []
    if os.getuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            unavailable("running as root, and there is no 'postgres' user to run PostgreSQL as")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    data = folder / "data"
    subprocess.run([*as_user, bin_folder / "initdb", "-D", data, "-U", "smarketing", "--auth=trust", "-E", "UTF8",
                    "--no-instructions"], check=True, capture_output=True, text=True)
    started = subprocess.run([*as_user, bin_folder / "pg_ctl", "-D", data, "-l", folder / "server.log", "-w",
                              "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start"],
                             capture_output=True, text=True)
    if started.returncode != 0:
        log = (folder / "server.log").read_text(errors="replace") if (folder / "server.log").exists() else ""
        raise RuntimeError(f"PostgreSQL did not start: {started.stderr}\n{log}")
    return Postgres(port, folder, bin_folder, as_user)
