"""One function's execution environment: the real runtime interface client
(`python -m awslambdaric <handler>`) in a process of its own, polling a local Runtime API.

The process sees what Lambda gives a python3.11 function: LAMBDA_TASK_ROOT as its
working directory and first import path, the runtime client outside the package, no
site-packages (`python -S`: nothing from the test virtualenv leaks in), the Lambda
environment variables, then the function's own from the template. The one addition is
AWS_ENDPOINT_URL, which sends the AWS SDK to the moto server.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.lambda_runtime.runtime_api import Invocation, RuntimeApi
from tests.lambda_runtime.stack import Function

ACCOUNT = "123456789012"
REGION = "ap-southeast-1"


def new_trace_id(sampled: bool = True) -> str:
    """An X-Ray trace header as Lambda passes it (Root, Parent, Sampled)."""
    root = f"1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]}"
    return f"Root={root};Parent={uuid.uuid4().hex[:16]};Sampled={int(sampled)}"


def trace_root(header: str) -> str:
    return dict(p.split("=", 1) for p in header.split(";"))["Root"]


@dataclass
class Result:
    invocation: Invocation
    seconds: float
    cold: bool
    logs: list[str]

    @property
    def ok(self) -> bool:
        return self.invocation.outcome == "response"

    @property
    def payload(self) -> Any:
        return self.invocation.payload

    @property
    def trace_root(self) -> str:
        return trace_root(self.invocation.trace_id)


class FunctionProcess:
    def __init__(
        self,
        function: Function,
        *,
        task_root: Path,
        runtime_dir: Path,
        environment: dict[str, str],
        xray_address: str,
        aws_endpoint: str,
    ) -> None:
        self.function = function
        self.arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function.name}"
        self.api = RuntimeApi(self.arn).start()
        self.invocations = 0
        self.output: list[str] = []
        self._lock = threading.Lock()
        host, port = xray_address.split(":")
        env = {
            # What Lambda sets for every python3.11 function.
            "PATH": "/var/lang/bin:/usr/local/bin:/usr/bin:/bin",
            "LANG": "en_US.UTF-8",
            "TZ": ":UTC",
            "LAMBDA_TASK_ROOT": str(task_root),
            "LAMBDA_RUNTIME_DIR": str(runtime_dir),
            "PYTHONPATH": str(runtime_dir),
            "_HANDLER": function.handler,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{function.runtime}",
            "AWS_LAMBDA_RUNTIME_API": self.api.address,
            "AWS_LAMBDA_FUNCTION_NAME": function.name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_mb),
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{function.name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": f"2026/01/01/[$LATEST]{uuid.uuid4().hex}",
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ACCESS_KEY_ID": "harness",
            "AWS_SECRET_ACCESS_KEY": "harness",
            "AWS_SESSION_TOKEN": "harness",
            "AWS_XRAY_DAEMON_ADDRESS": xray_address,
            "_AWS_XRAY_DAEMON_ADDRESS": host,
            "_AWS_XRAY_DAEMON_PORT": port,
            "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
            **environment,
            "AWS_ENDPOINT_URL": aws_endpoint,
        }
        self.process = subprocess.Popen(
            [sys.executable, "-S", "-m", "awslambdaric", function.handler],
            cwd=task_root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._reader = threading.Thread(target=self._read_output, daemon=True)
        self._reader.start()

    def _read_output(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self._lock:
                self.output.append(line.rstrip("\n"))

    def logs(self, since: int = 0) -> list[str]:
        with self._lock:
            return list(self.output[since:])

    def invoke(self, event: Any, *, sampled: bool = True) -> Result:
        """Invoke as Lambda does: one event at a time, within the function's timeout."""
        cold = self.invocations == 0
        self.invocations += 1
        first_line = len(self.logs())
        started = time.monotonic()
        invocation = self.api.submit(
            event, trace_id=new_trace_id(sampled), timeout_seconds=self.function.timeout_s
        )
        if not invocation.done.wait(self.function.timeout_s):
            self.stop()
            raise AssertionError(
                f"{self.function.name} timed out after {self.function.timeout_s} s "
                f"(polls {self.api.polls}, init errors {self.api.init_errors}):\n"
                + "\n".join(self.logs()[-40:])
            )
        seconds = time.monotonic() - started
        time.sleep(0.05)  # the last lines of this invocation's output
        return Result(invocation, seconds, cold, self.logs(first_line))

    def peak_rss_mb(self) -> float:
        """The process's peak resident memory (VmHWM), to hold against MemorySize."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        raise AssertionError("no VmHWM in /proc status")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.api.stop()
