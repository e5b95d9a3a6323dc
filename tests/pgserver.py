"""A throwaway PostgreSQL server for tests (the DuckLake catalog of the production profile).

Debian's server binaries (`/usr/lib/postgresql/<version>/bin/`, the highest version; else
`initdb` and `pg_ctl` on PATH) make a cluster in a temporary folder (user `bpe`, trust
authentication, UTF-8, locale C) that listens on 127.0.0.1 at a free port and on a Unix socket
inside that folder; `stop()` stops it (`pg_ctl stop -m fast`) and removes the folder.

PostgreSQL refuses to run as root: as root, the cluster is made and run as `nobody`
(`setpriv --reuid --regid --clear-groups`), which owns the folder.

No binaries: `start()` raises `PostgresMissing`, and the fixture (`server_or_fail`) fails the
tests with that message; it never skips them.
"""

import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

MISSING = "PostgreSQL server binaries not found: apt-get install postgresql"
USER = "bpe"
DB = "bpe"
RUN_AS = "nobody"  # the unprivileged user that runs the server when the tests run as root


class PostgresMissing(RuntimeError):
    """No PostgreSQL server binaries on this machine."""


def _version_key(bin_dir: str) -> tuple:
    version = Path(bin_dir).parent.name
    return tuple(int(p) if p.isdigit() else -1 for p in version.split("."))


def find_bin_dir(debian_root: str = "/usr/lib/postgresql") -> Path | None:
    """The folder of `initdb` and `pg_ctl`: Debian's highest version, else PATH; None when absent."""
    debian = [d for d in glob.glob(f"{glob.escape(debian_root)}/*/bin")
              if os.access(Path(d) / "initdb", os.X_OK) and os.access(Path(d) / "pg_ctl", os.X_OK)]
    if debian:
        return Path(max(debian, key=_version_key))
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl and Path(initdb).parent == Path(pg_ctl).parent:
        return Path(initdb).parent
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user() -> tuple[list[str], int | None, int | None]:
    """The command prefix that runs a program as the server's user, with its uid and gid (as root:
    `nobody`; otherwise ourselves, no prefix)."""
    if os.geteuid() != 0:
        return [], None, None
    pw = pwd.getpwnam(RUN_AS)
    return ["setpriv", f"--reuid={pw.pw_uid}", f"--regid={pw.pw_gid}", "--clear-groups"], pw.pw_uid, pw.pw_gid


def _run(cmd: list[str], what: str, timeout: float = 120) -> None:
    # The server user may not be allowed to read our working directory: run from the root folder.
    out = subprocess.run(cmd, cwd="/", capture_output=True, text=True, timeout=timeout,
                         env={**os.environ, "LC_ALL": "C", "LANG": "C"})
    if out.returncode != 0:
        raise RuntimeError(f"{what} failed ({out.returncode}): {out.stderr.strip() or out.stdout.strip()}")


@dataclass
class PgServer:
    """A running server: `dsn` (libpq keywords) of database `db`, and the parts of it."""
    host: str
    port: int
    user: str
    db: str
    folder: Path
    bin_dir: Path
    start_seconds: float = 0.0
    _prefix: list[str] = field(default_factory=list, repr=False)
    _stopped: bool = field(default=False, repr=False)

    def dsn_of(self, db: str) -> str:
        return f"host={self.host} port={self.port} dbname={db} user={self.user}"

    @property
    def dsn(self) -> str:
        return self.dsn_of(self.db)

    @property
    def data_dir(self) -> Path:
        return self.folder / "data"

    def execute(self, sql: str, db: str | None = None) -> list[tuple]:
        """Run one statement in autocommit (CREATE DATABASE cannot run in a transaction)."""
        import psycopg2

        con = psycopg2.connect(self.dsn_of(db or self.db))
        try:
            con.autocommit = True
            with con.cursor() as cur:
                cur.execute(sql)
                return cur.fetchall() if cur.description else []
        finally:
            con.close()

    def new_database(self, name: str) -> str:
        """Create database `name` (lower-case letters, digits, _) and return its DSN."""
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
            raise ValueError(f"not a plain database name: {name!r}")
        self.execute(f'create database "{name}"')
        return self.dsn_of(name)

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        try:
            _run([*self._prefix, str(self.bin_dir / "pg_ctl"), "stop", "-D", str(self.data_dir), "-m", "fast", "-w"],
                 "pg_ctl stop", timeout=60)
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def start(bin_dir: Path | None = None) -> PgServer:
    """Make a cluster in a new temporary folder and start it; raises PostgresMissing without binaries."""
    bin_dir = bin_dir or find_bin_dir()
    if bin_dir is None:
        raise PostgresMissing(MISSING)
    t0 = time.monotonic()
    prefix, uid, gid = _as_server_user()
    # In the system temp folder (not pytest's, which is private to root) and short: the Unix
    # socket's path must fit in 107 bytes.
    folder = Path(tempfile.mkdtemp(prefix="bpe-pg-"))
    try:
        if uid is not None:
            os.chown(folder, uid, gid)
        data = folder / "data"
        _run([*prefix, str(bin_dir / "initdb"), "-D", str(data), "-U", USER, "--auth=trust", "-E", "UTF8",
              "--locale=C", "--no-sync"], "initdb")
        options = " ".join([
            "-c listen_addresses=127.0.0.1", f"-c unix_socket_directories={folder}",
            # a test server: durability is not wanted, speed is
            "-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off", "-c max_connections=200",
        ])
        for attempt in range(3):  # a free port may be taken by someone else before the server binds it
            port = _free_port()
            try:
                _run([*prefix, str(bin_dir / "pg_ctl"), "start", "-w", "-t", "60", "-D", str(data),
                      "-l", str(folder / "server.log"), "-o", f"{options} -c port={port}"], "pg_ctl start")
                break
            except RuntimeError:
                if attempt == 2:
                    log = (folder / "server.log").read_text(errors="replace")[-2000:] if (folder / "server.log").exists() else ""
                    raise RuntimeError(f"PostgreSQL did not start: {log}") from None
        server = PgServer("127.0.0.1", port, USER, DB, folder, bin_dir, _prefix=prefix)
        try:
            server.execute(f'create database "{DB}"', db="postgres")
        except BaseException:
            server.stop()
            raise
        server.start_seconds = time.monotonic() - t0
        return server
    except BaseException:
        if folder.exists() and not (folder / "data" / "postmaster.pid").exists():
            shutil.rmtree(folder, ignore_errors=True)
        raise


def server_or_fail() -> PgServer:
    """`start()` for a pytest fixture: no binaries fails the test with the plain message (never a skip)."""
    import pytest

    try:
        return start()
    except PostgresMissing as exc:
        message = str(exc)
    pytest.fail(message, pytrace=False)  # outside the except: the message alone, no chained traceback
