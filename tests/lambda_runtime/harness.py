"""The Lambda harness: the deployed package, run by the real runtime interface client,
one execution environment per function, against a moto server standing in for AWS
(and `LambdaService` for Lambda's Invoke: a function the app invokes, as the API invokes
RunJob, runs here under the runtime client too).

`Harness` starts a function's process on first use and keeps it (warm) for the rest of
the session, as Lambda keeps an execution environment. Invocations of one function are
serialised, as a single Lambda execution environment handles one event at a time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from scripts.local_stack import _die_with_parent, _wait_for_port, free_port
from tests.lambda_runtime.gateway import Gateway
from tests.lambda_runtime.package import Build
from tests.lambda_runtime.runner import ACCOUNT, REGION, FunctionProcess, Result
from tests.lambda_runtime.stack import Function, Resolver, Stack
from tests.lambda_runtime.xray_daemon import XRayDaemon
from tests.synthesis import REPO


class MotoServer:
    def __init__(self, lambda_invoke_url: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # Lambda Invoke goes to the harness's stand-in (scripts/moto_patches.py).
        env = {**os.environ, "PYTHONPATH": str(REPO), "MOTO_LAMBDA_INVOKE_URL": lambda_invoke_url}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "scripts.moto_server", "-H", "127.0.0.1", "-p", str(self.port)],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,  # noqa: PLW1509
        )
        _wait_for_port(self.port, self.process, "moto server")

    def client(self, service: str) -> Any:
        import boto3

        return boto3.client(
            service,
            region_name=REGION,
            endpoint_url=self.url,
            aws_access_key_id="harness",
            aws_secret_access_key="harness",
        )

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


class IdentityProvider:
    """Cognito's part: the user pool's issuer URL and its JWKS, served over HTTP."""

    def __init__(self, jwks_path: Path) -> None:
        jwks = jwks_path.read_bytes()

        class Handler(BaseHTTPRequestHandler):
            # Headers and body go out in two writes: without TCP_NODELAY the body waits
            # for the client's delayed ACK (40 ms a response).
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                ok = self.path.endswith("/.well-known/jwks.json")
                self.send_response(200 if ok else 404)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(jwks if ok else b"{}")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.requests = 0

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class LambdaService:
    """Lambda's Invoke, as the functions' SDK calls it (moto hands it here): the named
    function runs under the runtime client in its execution environment. InvocationType
    Event answers 202 at once and runs the event on a thread of its own, as Lambda's
    asynchronous queue does (without its two retries: a failure is kept in `failures`);
    RequestResponse answers the function's payload (X-Amz-Function-Error if it raised)."""

    def __init__(self) -> None:
        self._invoke: Any = None  # set by the harness: (logical id, event) -> Result
        self._names: dict[str, str] = {}  # function name -> logical id
        self._pending: list[threading.Thread] = []
        self.invoked: list[str] = []  # function names, in the order they were invoked
        self.failures: list[Result] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                from urllib.parse import unquote

                parts = self.path.strip("/").split("/")
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                name = unquote(parts[1]).rsplit(":", 1)[-1] if len(parts) == 3 else ""
                kind = self.headers.get("X-Amz-Invocation-Type") or "RequestResponse"
                status, headers, payload = service.handle(name, kind, body)
                self.send_response(status)
                for key, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def attach(self, invoke: Any, functions: dict[str, Function]) -> None:
        self._invoke = invoke
        self._names = {f.name: logical_id for logical_id, f in functions.items()}

    def handle(self, name: str, kind: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        if name not in self._names:
            error = {"Type": "User", "Message": f"Function not found: {name}"}
            return 404, {"X-Amzn-ErrorType": "ResourceNotFoundException"}, dumps(error).encode()
        logical_id = self._names[name]
        event = json.loads(body or b"{}")
        self.invoked.append(name)
        if kind == "DryRun":
            return 204, {}, b""
        if kind == "Event":
            thread = threading.Thread(target=self._run, args=(logical_id, event), daemon=True)
            self._pending.append(thread)
            thread.start()
            return 202, {}, b""
        result = self._invoke(logical_id, event)
        headers = {} if result.ok else {"X-Amz-Function-Error": "Unhandled"}
        return 200, headers, dumps(result.payload).encode()

    def _run(self, logical_id: str, event: Any) -> None:
        result = self._invoke(logical_id, event)
        if not result.ok:
            self.failures.append(result)

    def settle(self, timeout: float = 120.0) -> None:
        """Wait until every asynchronous invocation so far has finished."""
        deadline = time.monotonic() + timeout
        for thread in list(self._pending):
            thread.join(max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                raise AssertionError(f"an asynchronous invocation still runs after {timeout} s")
        self._pending = [t for t in self._pending if t.is_alive()]

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class Harness:
    def __init__(self, build: Build, jwks_path: Path) -> None:
        self.build = build
        self.stack = Stack.load(build.template_path)
        self.lambda_service = LambdaService()
        self.moto = MotoServer(self.lambda_service.url)
        self.xray = XRayDaemon().start()
        self.idp = IdentityProvider(jwks_path)
        self.key_arn = self.moto.client("kms").create_key(Description="harness")["KeyMetadata"][
            "Arn"
        ]
        self.resolver = Resolver(
            self.stack,
            {
                "AWS::S3::Bucket": lambda logical, attr: self.bucket_name(logical),
                "AWS::KMS::Key": lambda logical, attr: self.key_arn,
                "AWS::Cognito::UserPool": lambda logical, attr: f"{self.idp.base_url}/{logical}",
                "AWS::Cognito::UserPoolClient": lambda logical, attr: f"client-{logical.lower()}",
                # The secret's ARN: the functions read it only when they need the key.
                "AWS::SecretsManager::Secret": lambda logical, attr: (
                    f"arn:aws:secretsmanager:{REGION}:000000000000:secret:{logical}"
                ),
                "AWS::CloudFront::Distribution": lambda logical, attr: (
                    f"{logical.lower()}.cloudfront.net"
                ),
                # The API's id (the functions name its generated endpoint in mail links).
                "AWS::Serverless::Api": lambda logical, attr: f"harness{logical.lower()}",
                "AWS::ApiGateway::RestApi": lambda logical, attr: f"harness{logical.lower()}",
            },
            pseudo={
                "AWS::Region": REGION,
                "AWS::AccountId": ACCOUNT,
                "AWS::URLSuffix": "amazonaws.com",
                "AWS::Partition": "aws",
            },
        )
        self.functions = self.stack.functions()
        self.overrides: dict[str, dict[str, str]] = {}  # logical id -> variables
        self._processes: dict[str, FunctionProcess] = {}
        self._locks = {name: threading.Lock() for name in self.functions}
        self._create_resources()
        self.gateway = Gateway(self.stack, self.invoke, self.resolver.resolve)
        self.lambda_service.attach(self.invoke, self.functions)

    @staticmethod
    def bucket_name(logical_id: str) -> str:
        return f"harness-{logical_id.lower()}"

    def environment(self, logical_id: str) -> dict[str, str]:
        """The template's environment of the function, then the test's `overrides` (a
        process started after an override is set sees it)."""
        return {
            **self.resolver.environment(self.functions[logical_id]),
            **self.overrides.get(logical_id, {}),
        }

    def _create_resources(self) -> None:
        """Every table and bucket the functions' settings name, created by the app's own
        setup code with the API function's environment (as the data stack creates them)."""
        api = self.stack.function_named("APIHandler")
        env = {
            **os.environ,
            **self.environment(api.logical_id),
            "AWS_ENDPOINT_URL": self.moto.url,
            "AWS_ACCESS_KEY_ID": "harness",
            "AWS_SECRET_ACCESS_KEY": "harness",
            "PYTHONPATH": str(REPO),
        }
        subprocess.run(
            [sys.executable, "-c", "from chalicelib.storage.setup import create_all; create_all()"],
            cwd=REPO,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )

    def reset(self) -> None:
        """Empty tables and new execution environments: what a test sees does not depend
        on what other tests left (job cursors, caches in warm processes)."""
        self.lambda_service.settle()
        for proc in self._processes.values():
            proc.stop()
        self._processes.clear()
        ddb = self.moto.client("dynamodb")
        prefix = self.environment(self.stack.function_named("APIHandler").logical_id)[
            "TABLE_PREFIX"
        ]
        for name in ddb.list_tables()["TableNames"]:
            if name.startswith(prefix):
                ddb.delete_table(TableName=name)
        self._create_resources()

    @property
    def issuer(self) -> str:
        api = self.functions[self.stack.function_named("APIHandler").logical_id]
        return self.resolver.resolve(api.environment["AUTH_ISSUER"])

    @property
    def audience(self) -> str:
        api = self.functions[self.stack.function_named("APIHandler").logical_id]
        return self.resolver.resolve(api.environment["AUTH_AUDIENCE"])

    def process(self, logical_id: str) -> FunctionProcess:
        if logical_id not in self._processes:
            function: Function = self.functions[logical_id]
            self._processes[logical_id] = FunctionProcess(
                function,
                task_root=self.build.task_root,
                runtime_dir=self.build.runtime_dir,
                environment=self.environment(logical_id),
                xray_address=self.xray.address,
                aws_endpoint=self.moto.url,
            )
        return self._processes[logical_id]

    def invoke(self, logical_id: str, event: Any, *, fresh: bool = False) -> Result:
        """Invoke the function; `fresh`: in a new execution environment (a cold start)."""
        with self._locks[logical_id]:
            if fresh and logical_id in self._processes:
                self._processes.pop(logical_id).stop()
            return self.process(logical_id).invoke(event)

    def started(self) -> dict[str, FunctionProcess]:
        return dict(self._processes)

    def stop(self) -> None:
        for proc in self._processes.values():
            proc.stop()
        self.idp.stop()
        self.xray.stop()
        self.moto.stop()
        self.lambda_service.stop()


def scheduled_event(rule_name: str, function: Function) -> dict[str, Any]:
    """What EventBridge sends a function on a schedule rule."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT,
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "region": REGION,
        "resources": [f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{function.name}-{rule_name}"],
        "detail": {},
    }


def object_created_event(rule_name: str, bucket: str, key: str, size: int) -> dict[str, Any]:
    """What EventBridge sends for an S3 "Object Created" event (the bucket has
    EventBridge notifications on)."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Object Created",
        "source": "aws.s3",
        "account": ACCOUNT,
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "region": REGION,
        "resources": [f"arn:aws:s3:::{bucket}"],
        "detail": {
            "version": "0",
            "bucket": {"name": bucket},
            "object": {
                "key": key,
                "size": size,
                "etag": uuid.uuid4().hex,
                "sequencer": f"{int(time.time() * 1000):016X}",
            },
            "request-id": uuid.uuid4().hex[:16].upper(),
            "requester": ACCOUNT,
            "source-ip-address": "203.0.113.7",
            "reason": "PutObject",
        },
    }


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
