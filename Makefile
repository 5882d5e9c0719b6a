# Không Giấy: every developer command. `make demo` and `make test` work on a
# fresh clone with only Python 3.11, make and git.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
# Two install stamps: DEV_STAMP (runtime + dev requirements) is all the demo, the local
# stack and the unit/API/e2e tests need; STAMP adds the infrastructure tools (CDK,
# cdk-nag, cfn-lint, bandit, pip-audit) and checkov, which `make test` and the infra
# targets need. pip runs without --quiet so a long first install shows what it is doing.
DEV_STAMP := $(VENV)/.installed-dev
STAMP := $(VENV)/.installed
# checkov has its own virtualenv: it pins boto3/packaging versions the runtime cannot use.
CHECKOV_VENV := $(VENV)/checkov
MOTO_PORT ?= 5005
API_PORT ?= 8000
# make demo SIZE=large: a province shaped like Hồ Chí Minh City (slow; issue 23).
# DAYS=n: only the first n days of the campaign (the large month is ~2.5 million events).
SIZE ?= demo
DAYS ?=
CONSOLE_PORT ?= 8080
# npm packages of the generated-clients test (openapi-typescript, tsc): `make clients`.
TS_STAMP := clients/typescript/node_modules/.installed
# Headless Chromium for the browser tests (tests/browser): Debian's, never a download.
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
ROLE ?= province_admin
UNIT ?=
SUB ?=
STAGE ?= prod
# pytest-xdist workers for the suite (`make test PYTEST_WORKERS=0` runs it in one process).
PYTEST_WORKERS ?= auto
PYTEST_PARALLEL := -n $(PYTEST_WORKERS) --dist loadgroup

.PHONY: help venv install serve demo console vendor browser-deps browser test lint typecheck unit api e2e lambda token openapi clients fuzz rebuild bench mutation planted-faults synth deploy gates package-size clean

help:
	@echo "make demo     - set up, start the local stack, run the demo province month, print results"
	@echo "make test     - set up and run lint, type checks and the whole test suite"
	@echo "make serve    - run the local stack (moto + chalice local + scheduler + console) until Ctrl-C"
	@echo "make console  - the local stack with the demo month loaded; the web console on CONSOLE_PORT"
	@echo "make vendor   - refresh the console's third-party code (uPlot, axe-core) from npm"
	@echo "make browser  - the browser tests only (headless Chromium against the local stack)"
	@echo "make token ROLE=unit_officer UNIT=<unit_id> (ROLE=council_member SUB=<sub>) - mint a local dev token"
	@echo "make openapi  - write docs/openapi.json"
	@echo "make clients  - generate the Python client and the TypeScript types into clients/out"
	@echo "make fuzz     - the thorough API fuzzing pass (schemathesis coverage phase, every role)"
	@echo "make rebuild  - rebuild every event from the S3 archive (against a running local stack)"
	@echo "make bench    - run the benchmarks in bench/"
	@echo "make mutation - mutation testing (mutmut) of the domain, auth and access rules (slow; not in make test)"
	@echo "make planted-faults - plant issue 19's four faults in a scratch copy and check a test fails for each"
	@echo "make synth [STAGE=prod]  - write the CloudFormation template to infra/cdk.out (no AWS account)"
	@echo "make deploy STAGE=prod   - deploy the stage with the CDK CLI (AWS credentials, cdk bootstrap)"
	@echo "make lambda  - the deployed package under the Lambda runtime interface client (tests/lambda_runtime)"
	@echo "make gates   - infra gates only: CDK assertions, cdk-nag, cfn-lint, checkov, bandit, pip-audit"
	@echo "make package-size - size of the Lambda deployment package"

$(DEV_STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || { echo "==> creating the virtualenv $(VENV)"; $(PYTHON) -m venv $(VENV); }
	@echo "==> [1/2] upgrading pip"
	$(PY) -m pip install --upgrade pip
	@echo "==> [2/2] runtime and dev requirements (requirements-dev.txt): a few minutes the first time"
	$(PY) -m pip install -r requirements-dev.txt
	@touch $(DEV_STAMP)

$(STAMP): $(DEV_STAMP) requirements-infra.txt infra/requirements-checkov.txt
	@echo "==> [1/2] infrastructure tools (requirements-infra.txt: CDK, cdk-nag, cfn-lint, bandit, pip-audit)"
	$(PY) -m pip install -r requirements-dev.txt -r requirements-infra.txt
	@echo "==> [2/2] checkov in its own virtualenv ($(CHECKOV_VENV))"
	@test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install -r infra/requirements-checkov.txt
	@touch $(STAMP)

venv: $(DEV_STAMP)

install: $(STAMP)

serve: $(DEV_STAMP)
	$(PY) -m scripts.local_stack --moto-port $(MOTO_PORT) --api-port $(API_PORT) --console-port $(CONSOLE_PORT)

console: $(DEV_STAMP)
	$(PY) -m scripts.console --moto-port $(MOTO_PORT) --api-port $(API_PORT) --console-port $(CONSOLE_PORT)

# Pinned versions live in scripts/vendor_web.py; needs npm (the npm registry).
vendor: $(DEV_STAMP)
	$(PY) -m scripts.vendor_web

$(CHROMIUM):
	$(SUDO) apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-dejavu-core

browser-deps: $(CHROMIUM)

browser: $(DEV_STAMP) $(CHROMIUM)
	$(PY) -m pytest tests/browser

demo: $(DEV_STAMP)
	$(PY) -m scripts.demo_run --moto-port $(MOTO_PORT) --api-port $(API_PORT) --size $(SIZE) \
		$(if $(DAYS),--days $(DAYS))

lint: $(DEV_STAMP)
	$(PY) -m ruff check app.py chalicelib tests scripts bench
	$(PY) -m ruff format --check app.py chalicelib tests scripts bench

typecheck: $(DEV_STAMP)
	$(PY) -m mypy app.py chalicelib scripts

unit: $(DEV_STAMP)
	$(PY) -m pytest tests/unit $(PYTEST_PARALLEL)

api: $(DEV_STAMP)
	$(PY) -m pytest tests/api $(PYTEST_PARALLEL)

e2e: $(DEV_STAMP)
	$(PY) -m pytest tests/e2e

# The deployed package (synthesized, cached on a hash of the sources) under the real
# Lambda runtime interface client: every function cold then warm, X-Ray sampled.
lambda: $(STAMP)
	$(PY) -m pytest tests/lambda_runtime

test: $(STAMP) $(CHROMIUM) $(TS_STAMP)
	$(PY) -m ruff check app.py chalicelib tests scripts bench
	$(PY) -m ruff format --check app.py chalicelib tests scripts bench
	$(PY) -m mypy app.py chalicelib scripts
	$(PY) -m ruff check infra
	$(PY) -m ruff format --check infra
	$(PY) -m mypy infra
	$(PY) -m pytest tests $(PYTEST_PARALLEL) --durations=15

# tests/infrastructure (collected by `make test` too) synthesizes the stack once and runs
# every gate on it; no AWS account needed.
gates: $(STAMP)
	$(PY) -m ruff check infra tests/infrastructure
	$(PY) -m mypy infra
	$(PY) -m pytest tests/infrastructure

synth: $(STAMP)
	$(PY) -m infra.app --stage $(STAGE) --outdir infra/cdk.out

# Needs AWS credentials for the target account and a bootstrapped environment
# (npx --yes aws-cdk@2 bootstrap aws://ACCOUNT/REGION). CDK_ARGS passes CLI options.
deploy: $(STAMP)
	npx --yes aws-cdk@2 deploy --app "$(PY) -m infra.app --stage $(STAGE)" \
		--output infra/cdk.out --require-approval broadening $(CDK_ARGS)

package-size: $(DEV_STAMP)
	$(PY) bench/package_size.py --stage $(STAGE)

token: $(DEV_STAMP)
	@$(PY) -m scripts.devkeys --role $(ROLE) $(if $(UNIT),--unit $(UNIT),) $(if $(SUB),--sub $(SUB),)

openapi: $(DEV_STAMP)
	$(PY) -m scripts.write_openapi

# The generators a frontend team uses (README, "Generated clients"): openapi-python-client
# is in requirements-dev.txt; openapi-typescript (and tsc, for the test that type-checks
# real responses) come from npm at the versions clients/typescript/package-lock.json pins.
$(TS_STAMP): clients/typescript/package.json clients/typescript/package-lock.json
	npm ci --prefix clients/typescript --no-audit --no-fund
	@touch $(TS_STAMP)

clients: $(DEV_STAMP) $(TS_STAMP)
	$(PY) -m scripts.write_openapi
	$(VENV)/bin/openapi-python-client generate --path docs/openapi.json --meta none \
		--output-path clients/out/khong_giay_client --overwrite \
		--config clients/openapi-python-client.yaml
	clients/typescript/node_modules/.bin/openapi-typescript docs/openapi.json \
		-o clients/out/khong-giay-api.d.ts

# Minutes, not seconds: every role, every operation, schemathesis's coverage phase.
fuzz: $(DEV_STAMP)
	FUZZ_COVERAGE=1 FUZZ_EVERY_ROLE=1 FUZZ_MAX_EXAMPLES=10 FUZZ_STATEFUL_EXAMPLES=20 \
		$(PY) -m pytest tests/e2e/test_fuzz.py -p no:randomly

rebuild: $(DEV_STAMP)
	$(PY) -m scripts.rebuild --api-port $(API_PORT)

# Mutation testing ([tool.mutmut] in pyproject.toml): mutants of chalicelib/domain, auth.py
# and the admission and access rules, each run against the unit tests that call it, module
# by module at nice 15 (scripts/mutation.py); the table goes to docs/benchmarks.md.
# MODULES narrows it, e.g. MODULES='council_vote quotas'.
mutation: $(DEV_STAMP)
	$(PY) -m scripts.mutation $(MODULES)

# Issue 19's planted faults, each in a scratch worktree of HEAD: a test must fail for each.
planted-faults: $(DEV_STAMP)
	$(PY) -m scripts.planted_faults

bench: $(DEV_STAMP)
	$(PY) bench/cold_start.py

clean:
	rm -rf $(VENV) .local out .pytest_cache .mypy_cache .ruff_cache .hypothesis infra/cdk.out
