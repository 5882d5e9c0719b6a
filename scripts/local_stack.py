"""The embedded default: moto server + `chalice local` + the inbox stream poller (the
event source mapping `chalice local` lacks) + the job scheduler, and the web console
on its own origin (`scripts.console_server`).

`make serve` runs `python -m scripts.local_stack`. The same LocalStack class
starts the stack for `make demo`, `make console` and the end-to-end and browser
tests (on free ports).
Children die with the parent (PR_SET_PDEATHSIG), so Ctrl-C or a crash leaves
no orphaned process.
"""

from __future__ import annotations

import argparse
import ctypes
import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from scripts import local_clock
from scripts.devkeys import DEFAULT_AUDIENCE, DEFAULT_ISSUER

if TYPE_CHECKING:
    from scripts.console_server import ConsoleServer

ROOT = Path(__file__).resolve().parent.parent
LOCAL_DIR = ROOT / ".local"
# The Chalice stage `chalice local` runs (.chalice/config.json).
CHALICE_STAGE = "local"
# A scheduled job that stopped at its deadline (done: false) runs again this soon.
RESUME_AFTER_SECONDS = 5


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _die_with_parent() -> None:
    # Linux: deliver SIGTERM to the child when the parent exits for any reason.
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def ensure_free(port: int, what: str) -> None:
    """Refuse to start `what` on a port something already listens on: waiting for the port
    would then connect to that other process (a stack left over from another run, with its
    own tables and code) and this one would silently use it, answering with stale tables
    (a 500 where a table or index is missing) instead of failing to start."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            pass
    except OSError:
        return  # nothing listens there
    raise RuntimeError(
        f"port {port} for the {what} is already in use (another local stack, or a leftover "
        "of one?): stop it or choose other ports (MOTO_PORT, API_PORT)"
    )


def _wait_for_port(
    port: int, proc: subprocess.Popen[bytes], what: str, timeout: float = 60
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with code {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on port {port} within {timeout:.0f} s")


def stack_environment(moto_port: int, base: dict[str, str] | None = None) -> dict[str, str]:
    from scripts.devkeys import DEFAULT_DIR, ensure_keys

    env = dict(base if base is not None else os.environ)
    _, jwks = ensure_keys(DEFAULT_DIR)
    env.update(
        {
            "AWS_ENDPOINT_URL": f"http://127.0.0.1:{moto_port}",
            "AWS_ACCESS_KEY_ID": env.get("AWS_ACCESS_KEY_ID_LOCAL", "local"),
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": env.get("AWS_DEFAULT_REGION", "ap-southeast-1"),
            "AWS_REGION": env.get("AWS_REGION", env.get("AWS_DEFAULT_REGION", "ap-southeast-1")),
            "STAGE": "local",
            "PYTHONPATH": str(ROOT),
        }
    )
    env.pop("AWS_SESSION_TOKEN", None)
    env.pop("AWS_PROFILE", None)
    # A test (or a developer) may bring its own key and issuer.
    env.setdefault("AUTH_JWKS_FILE", str(jwks))
    # moto server answers every origin by default; switched off, the buckets' own CORS
    # rules (chalicelib/storage/setup.py) answer, as S3 does.
    env["MOTO_DISABLE_GLOBAL_CORS"] = "true"
    return env


class LocalStack:
    def __init__(
        self,
        *,
        moto_port: int = 5005,
        api_port: int = 8000,
        scheduler: bool = True,
        env: dict[str, str] | None = None,
        quiet: bool = False,
        console_port: int | None = None,
        hub_port: int | None = None,
    ) -> None:
        self.moto_port = moto_port
        # The fake provincial hub (scripts/fake_hub.py) the pull_hubs job can pull from:
        # started empty, `serve_hub` gives it the messages to list.
        self.hub_port = hub_port
        self.hub: Any = None
        self.api_port = api_port
        self.scheduler = scheduler
        self.env = stack_environment(moto_port, env)
        if hub_port is not None:
            # shorter than the fake hub's stalls (3 s): they are timeouts to the connector
            self.env.setdefault("HUB_TIMEOUT_SECONDS", "2")
        self.quiet = quiet
        self.console_port = console_port
        if console_port is not None:
            # The console is another origin than the API: the API allows exactly it.
            self.env["CORS_ALLOWED_ORIGINS"] = self.console_url
            self.env.setdefault("CONSOLE_URL", self.console_url)
        # Notifications: captured under out/mail/ (and in the ledger for the console), sent
        # only to moto's SES, whose 1/s quota is not a real account's.
        self.env.setdefault("MAIL_CAPTURE_DIR", str(ROOT / "out" / "mail"))
        self.env.setdefault("MAIL_SEND_RATE", "200")
        self.env.setdefault("PUBLIC_API_URL", self.api_url)
        # The stack's processes read their clock's offset here (scripts/local_clock.py):
        # the system's clock until a demo moves it (move_clock).
        self._clock_dir = tempfile.TemporaryDirectory(prefix="kg-clock-")
        self.clock_file = Path(self._clock_dir.name) / "offset"
        self.env.setdefault(local_clock.ENV, str(self.clock_file))
        self.console: ConsoleServer | None = None
        self.procs: list[subprocess.Popen[bytes]] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def console_url(self) -> str:
        return f"http://127.0.0.1:{self.console_port}"

    @property
    def key_dir(self) -> Path:
        """Where the private key of the JWKS the API trusts lives (devkeys writes both)."""
        from scripts.devkeys import DEFAULT_DIR

        jwks = Path(self.env["AUTH_JWKS_FILE"])
        return jwks.parent if (jwks.parent / "private.pem").exists() else DEFAULT_DIR

    @property
    def moto_url(self) -> str:
        return f"http://127.0.0.1:{self.moto_port}"

    def _spawn(self, args: list[str], what: str, port: int | None) -> None:
        if port is not None:
            ensure_free(port, what)
        out = subprocess.DEVNULL if self.quiet else None
        proc = subprocess.Popen(
            args,
            cwd=ROOT,
            env=self.env,
            stdout=out,
            stderr=out,
            preexec_fn=_die_with_parent,  # noqa: PLW1509
        )
        self.procs.append(proc)
        if port is not None:
            _wait_for_port(port, proc, what)

    def start(self) -> LocalStack:
        self._spawn(
            [
                sys.executable,
                "-m",
                "scripts.moto_server",
                "-H",
                "127.0.0.1",
                "-p",
                str(self.moto_port),
            ],
            "moto server",
            self.moto_port,
        )
        self.create_resources()
        self._spawn(
            [
                sys.executable,
                "-m",
                "scripts.chalice_local",
                "--stage",
                CHALICE_STAGE,
                "--host",
                "127.0.0.1",
                "--port",
                str(self.api_port),
                "--no-autoreload",
            ],
            "chalice local",
            self.api_port,
        )
        # The stream poller starts at the stream's oldest record: nothing written before
        # it runs is missed.
        self._spawn([sys.executable, "-m", "scripts.stream_poller"], "stream poller", None)
        if self.console_port is not None:
            from scripts.chalice_local import app_environment
            from scripts.console_server import ConsoleServer

            self.console = ConsoleServer(
                port=self.console_port,
                api_url=self.api_url,
                key_dir=self.key_dir,
                issuer=self.env.get("AUTH_ISSUER", DEFAULT_ISSUER),
                audience=self.env.get("AUTH_AUDIENCE", DEFAULT_AUDIENCE),
                app_environment=app_environment(CHALICE_STAGE, self.env),
                # Presigned POSTs of nomination files go straight to the (moto) bucket.
                connect_origins=[self.moto_url],
            ).start()
        if self.hub_port is not None:
            from scripts.fake_hub import FakeHub, demo_faults

            self.hub = FakeHub([], faults=demo_faults(), port=self.hub_port).start()
        if self.scheduler:
            self._thread = threading.Thread(target=self._schedule_loop, daemon=True)
            self._thread.start()
        return self

    def serve_hub(self, messages: Any) -> str:
        """Have the fake hub list these messages (scripts.fake_hub.HubMessage); its URL."""
        assert self.hub is not None, "start the stack with hub_port"
        self.hub.messages = {m.package_id: m for m in messages}
        return str(self.hub.url)

    def create_resources(self) -> dict[str, Any]:
        # Run in a child so this process's settings cache stays untouched.
        out = subprocess.run(
            [
                sys.executable,
                "-c",
                "from chalicelib.storage.setup import create_all; print(create_all())",
            ],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )
        return {"output": out.stdout.strip()}

    def admin_token(self) -> str:
        from scripts.devkeys import mint_token

        return mint_token(
            "province_admin",
            sub="local-scheduler",
            directory=self.key_dir,
            issuer=self.env.get("AUTH_ISSUER", DEFAULT_ISSUER),
            audience=self.env.get("AUTH_AUDIENCE", DEFAULT_AUDIENCE),
        )

    def run_job(self, name: str, timeout: float = 120) -> dict[str, Any]:
        import requests

        response = requests.post(
            f"{self.api_url}/admin/jobs/{name}",
            headers={"Authorization": f"Bearer {self.admin_token()}"},
            timeout=timeout,
        )
        response.raise_for_status()
        return dict(response.json())

    def _schedule_loop(self) -> None:
        env_backup = dict(os.environ)
        os.environ.update(self.env)
        try:
            from chalicelib.jobs.catalog import job_specs, next_run
        finally:
            os.environ.clear()
            os.environ.update(env_backup)
        specs = [s for s in job_specs().values() if s.every_minutes or s.cron_utc]
        due = {s.name: next_run(s, dt.datetime.now(dt.UTC)) for s in specs}
        while not self._stop.wait(1.0):
            now = dt.datetime.now(dt.UTC)
            for spec in specs:
                when = due.get(spec.name)
                if when is not None and now >= when:
                    unfinished = False
                    try:
                        result = self.run_job(spec.name)
                        print(f"[scheduler] {spec.name}: {result.get('result')}", flush=True)
                        outcome = result.get("result")
                        unfinished = isinstance(outcome, dict) and outcome.get("done") is False
                    except Exception as exc:  # keep the stack running; report and retry next time
                        print(f"[scheduler] {spec.name} failed: {exc}", flush=True)
                    # A run cut short by the HTTP budget (25 s) continues soon, as a long
                    # Lambda run would have; otherwise wait for the next scheduled time.
                    due[spec.name] = (
                        now + dt.timedelta(seconds=RESUME_AFTER_SECONDS)
                        if unfinished
                        else next_run(spec, now)
                    )

    def move_clock(self, to: dt.datetime | None) -> dt.timedelta:
        """Move the API's and the stream poller's clock so that it reads `to` now (and goes
        on from there); None puts it back on the system's. Returns the offset set."""
        delta = dt.timedelta(0) if to is None else to - dt.datetime.now(dt.UTC)
        local_clock.write_offset(Path(self.env[local_clock.ENV]), delta)
        return delta

    def wait(self) -> None:
        """Until Ctrl-C (KeyboardInterrupt) or until a stack process exits."""
        while all(p.poll() is None for p in self.procs):
            time.sleep(0.5)
        print("a stack process exited; stopping", flush=True)

    def stop(self) -> None:
        self._stop.set()
        if self.hub is not None:
            self.hub.stop()
            self.hub = None
        if self.console is not None:
            self.console.stop()
            self.console = None
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.terminate()
        for proc in reversed(self.procs):
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.procs.clear()

    def __enter__(self) -> LocalStack:
        try:
            return self.start()
        except BaseException:
            self.stop()  # what did start (the moto server, when the API's port is taken)
            raise

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Run the local stack (moto + chalice local + stream poller + jobs)"
    )
    parser.add_argument("--moto-port", type=int, default=int(os.environ.get("MOTO_PORT", "5005")))
    parser.add_argument("--api-port", type=int, default=int(os.environ.get("API_PORT", "8000")))
    parser.add_argument(
        "--console-port", type=int, default=int(os.environ.get("CONSOLE_PORT", "8080"))
    )
    parser.add_argument("--no-scheduler", action="store_true")
    parser.add_argument("--hub-port", type=int, default=int(os.environ.get("HUB_PORT", "8091")))
    args = parser.parse_args()
    stack = LocalStack(
        moto_port=args.moto_port,
        api_port=args.api_port,
        scheduler=not args.no_scheduler,
        console_port=args.console_port,
        hub_port=args.hub_port,
    )

    def _terminate(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _terminate)
    try:
        stack.start()
        from scripts.fake_hub import SYSTEM_ID, demo_hub_messages

        hub_url = stack.serve_hub(demo_hub_messages())
        print(
            "\nKhông Giấy local stack is up:\n"
            f"  API          {stack.api_url}   (chalice local, stage 'local')\n"
            f"  AWS (moto)   {stack.moto_url}   (DynamoDB, S3, KMS in memory)\n"
            f"  Console      {stack.console_url}/   (dev sign-in: {stack.console_url}/dev/sign-in)\n"
            "  Stream       the inbox stream feeds fold_inbox: KPIs within seconds\n"
            f"  Hub (fake)   {hub_url}   (LGSP dialect, X-SystemId {SYSTEM_ID}; register a hub "
            "source to pull it)\n"
            "  Scheduler    runs the aggregate_kpi sweep and the report jobs on their schedules\n"
            "  Token        make token ROLE=province_admin   (or ROLE=unit_officer UNIT=<unit_id>)\n"
            "Data lives only as long as this stack runs. Ctrl-C stops everything.\n",
            flush=True,
        )
        stack.wait()
    except KeyboardInterrupt:
        print("\nstopping the local stack", flush=True)
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
