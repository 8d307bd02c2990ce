# descope-harness: a mock Descope issuer, a protected API and the suites that test one with the other.
# `make` (or `make help`) lists the targets.

SHELL := /usr/bin/env bash
.DEFAULT_GOAL := help

GO        ?= go
GINKGO    := $(GO) tool ginkgo
BIN       := bin
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)
REPORTS   := reports
COMPOSE   ?= docker-compose
# Container engine for make images: docker when its daemon answers, else
# podman when installed (DOCKER=podman or DOCKER=docker to choose).
DOCKER    ?= $(shell if docker info >/dev/null 2>&1 || ! command -v podman >/dev/null 2>&1; then echo docker; else echo podman; fi)
# podman builds OCI images by default, which have no HEALTHCHECK: --format
# docker keeps it. Add --network host here where a build's RUN has no network.
DOCKER_BUILD_FLAGS ?= $(if $(filter podman,$(notdir $(DOCKER))),--format docker)
# make run settings (also read from the environment).
MOCKIDP_PORT    ?= 8080
API_PORT        ?= 8000
MOCKIDP_PROJECT ?=

# Every package that is not a Ginkgo scenario suite.
UNIT_PKGS = $(shell $(GO) list ./... | grep -v /suites)

.PHONY: help
help: ## Show this help
	@if [ -t 1 ]; then on='\033[36m'; off='\033[0m'; fi; \
	  awk -v on="$$on" -v off="$$off" 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  %s%-16s%s %s\n", on, $$1, off, $$2}' $(MAKEFILE_LIST)

.PHONY: build
build: ## Build bin/mockidp and bin/api
	@mkdir -p $(BIN)
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/mockidp ./mockidp/cmd/mockidp
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/api ./api/cmd/api

.PHONY: test
# One go test over every package, suites included (each suite applies the
# ginkgo CLI's settings itself: random order, fail on pending or empty, the
# label filter and JUnit folder below), so the go command keeps both cores
# busy; -p 4 runs four test binaries at a time because several packages wait
# on child processes and timers more than they compute. Tests that run the binaries use bin/ (HARNESS_BIN_DIR) instead of
# linking their own copies; -ldflags=-w skips DWARF in the test binaries
# (race reports do not need it), a quarter less link time each.
TEST_ENV = HARNESS_BIN_DIR='$(CURDIR)/$(BIN)' HARNESS_LABEL_FILTER='!live' HARNESS_REPORTS_DIR='$(CURDIR)/$(REPORTS)'
test: build ## Run every offline test and suite (what CI runs): race detector, random spec order, JUnit XML in reports/; the long tests are make test-long's
	@mkdir -p $(REPORTS)
	$(TEST_ENV) $(GO) test -race -count=1 -short -p 4 -ldflags=-w ./...

# The long tests: each skips itself under -short (make test) and runs here:
# stores filled to their limits, the short soak, loadgen's child processes,
# docker-compose's validation of the compose file.
LONG_TESTS = TestRunShort|TestChildScenariosEndToEnd|TestRunChildModes|TestSessionStoreIsBounded|TestFloodOfCodeExchangesLeavesRoom|TestSessionStoreStaysBounded|TestMemoryUsersAndSessions|TestUsersAreBounded|TestManagementDefinitionsCountBounded|TestManagementDefinitionsByteBounded|TestDirectoryTotalBytesLimit|TestComposeConfigValidates|TestBatchesKeepTheirBounds
LONG_PKGS  = ./soak/ ./loadgen/... ./mockidp/ ./mockidp/state/ ./packaging/

.PHONY: test-long
test-long: build ## The long tests make test skips (-short): stores filled to their limits, the short soak, loadgen's child processes; run by .ci/run
	$(TEST_ENV) $(GO) test -race -count=1 -ldflags=-w -run '^($(LONG_TESTS))$$' $(LONG_PKGS)

.PHONY: test-unit
test-unit: build ## Unit and package tests only, with the race detector
	$(TEST_ENV) $(GO) test -race -count=1 -ldflags=-w $(UNIT_PKGS)

.PHONY: test-suites
test-suites: ## Offline Ginkgo suites only, through the ginkgo CLI (race detector, random order, JUnit XML in reports/)
	@mkdir -p $(REPORTS)
	$(GINKGO) -r --race --randomize-all --fail-on-pending --fail-on-empty \
	  --label-filter='!live' --junit-report=junit.xml --output-dir=$(REPORTS) --keep-separate-reports ./suites

.PHONY: test-wiring
test-wiring: build ## Start mockidp and api as processes with the compose environments and run the external-mode suites against them; run the live suite's commands without credentials
	HARNESS_BIN_DIR='$(CURDIR)/$(BIN)' PACKAGING_EXTERNAL_SUITES=1 $(GO) test -count=1 -run 'TestComposeStackAsProcesses|TestComposeLiveServiceWithoutCredentials|TestMakeTestLiveWithoutCredentials' ./packaging

.PHONY: test-tls
test-tls: build ## The stack over HTTPS: bin/mockidp --tls, two bin/api trusting its CA (PROVIDER_CA_FILE), the offline suites in external mode (HARNESS_MOCKIDP_CA_FILE), curl with and without --cacert
	HARNESS_BIN_DIR='$(CURDIR)/$(BIN)' HARNESS_TLS_STACK=1 $(GO) test -count=1 -v -run '^TestStackOverHTTPS$$' ./https

.PHONY: test-node-sdk
test-node-sdk: build ## Descope's own Node SDK (@descope/node-sdk, npm ci from nodesdk/package-lock.json) against bin/mockidp: test users, OTP verify, refresh, tenant select, me, logout, and the management API (users, roles, permissions, tenants, access keys, impersonation) with the next refresh
	cd nodesdk && npm ci --no-audit --no-fund
	HARNESS_BIN_DIR='$(CURDIR)/$(BIN)' HARNESS_NODE_SDK=1 $(GO) test -count=1 -v -run '^TestNodeSDK$$' ./nodesdk

.PHONY: test-browser
test-browser: ## Click through mockidp's login page and render the API's /docs in headless Chromium (needs Debian's chromium, which .ci/run installs; skips without it unless CI=true)
	$(GO) test -tags browser -count=1 -run 'TestLoginPageInChromium|TestDocsRenderInBrowser' ./mockidp/ ./api/

.PHONY: test-live
test-live: ## Live smoke tests against real Descope (needs DESCOPE_* variables)
	@mkdir -p $(REPORTS)
	@# The suite binary goes to a folder of this run's own (ginkgo run would
	@# write suites/live/live.test, shared with every other run); inside the
	@# suite's folder, because a precompiled suite runs where its binary is.
	dir=$$(mktemp -d suites/live/.build-XXXXXX) && trap 'rm -rf "$$dir"' EXIT && \
	  $(GINKGO) build -o "$$dir/live.test" ./suites/live && \
	  $(GINKGO) -v --label-filter='live' --junit-report=live.xml --output-dir=$(abspath $(REPORTS)) "$$dir/live.test"

.PHONY: test-live-mock
test-live-mock: build ## make test-live against bin/mockidp posing as Descope (the fixture's project, client and management key); fails when any live spec is skipped
	HARNESS_BIN_DIR='$(CURDIR)/$(BIN)' PACKAGING_LIVE_MOCK=1 $(GO) test -count=1 -v -run '^TestLiveSuiteAgainstMock$$' ./packaging

.PHONY: vet
vet: ## go vet and gofmt check
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)

.PHONY: lint
lint: vet ## go vet, gofmt and staticcheck (pinned in go.mod)
	$(GO) tool staticcheck ./...

BENCHCOUNT ?= 6
.PHONY: bench
bench: ## Go benchmarks (-benchmem, -count=BENCHCOUNT for benchstat) of signing, serving, validation, middleware and handlers
	$(GO) test -run '^$$' -bench . -benchmem -count=$(BENCHCOUNT) ./mockidp/ ./mockidp/keys/ ./api/auth/ ./api/

LOADTIME ?= 5s
.PHONY: load
load: ## Loopback load on the mock (token, key set, discovery) and the API (GET /api/me), each beside its same-run baseline
	$(GO) run ./loadgen/cmd/loadgen -scenario token,token-repeat,jwks,discovery,api-me -duration $(LOADTIME)
	$(GO) run ./loadgen/cmd/loadgen -scenario api-me-child,api-me-distinct,api-invalid-garbage,api-invalid-kid -duration $(LOADTIME)

FUZZTIME ?= 10s
.PHONY: fuzz
fuzz: ## Run every fuzz target (every func Fuzz* in the module) for FUZZTIME each; see scripts/fuzz.sh
	@GO='$(GO)' FUZZTIME='$(FUZZTIME)' ./scripts/fuzz.sh

SOAKTIME ?= 60s
.PHONY: soak
soak: ## Load on the API while the mock rotates keys every 200 ms and fails 10% of key-set requests
	$(GO) run ./soak/cmd/soak -duration $(SOAKTIME)

.PHONY: run
run: build ## Start mockidp (127.0.0.1:8080) and the API (127.0.0.1:8000); MOCKIDP_PORT, API_PORT, MOCKIDP_PROJECT override
	@MOCKIDP_PORT='$(MOCKIDP_PORT)' API_PORT='$(API_PORT)' MOCKIDP_PROJECT='$(MOCKIDP_PROJECT)' BIN_DIR='$(BIN)' ./scripts/run.sh

.PHONY: images
images: ## Build the mockidp and api container images (Docker or podman: DOCKER)
	$(DOCKER) build $(DOCKER_BUILD_FLAGS) -f Dockerfile.mockidp --build-arg VERSION=$(VERSION) -t descope-harness/mockidp:$(VERSION) -t descope-harness/mockidp:latest .
	$(DOCKER) build $(DOCKER_BUILD_FLAGS) -f Dockerfile.api --build-arg VERSION=$(VERSION) -t descope-harness/api:$(VERSION) -t descope-harness/api:latest .

.PHONY: test-images
test-images: ## Build both images and check them, run the compose stack, compose-test and compose-live, then make down (installs podman where there is no Docker; see scripts/test-images.sh)
	@VERSION='$(VERSION)' COMPOSE='$(COMPOSE)' ./scripts/test-images.sh

.PHONY: up
up: ## Start mockidp and the API with docker-compose (127.0.0.1:8080 and :8000), detached
	VERSION=$(VERSION) $(COMPOSE) up --build --detach mockidp api
	@echo "mockidp: http://127.0.0.1:8080 (admin token: harness-admin-token)  API: http://127.0.0.1:8000/docs  stop: make down"

.PHONY: down
down: ## Stop and remove the docker-compose stack
	$(COMPOSE) --profile test --profile live down --remove-orphans

.PHONY: compose-test
compose-test: ## Run the offline suites in external mode against the compose stack (Docker, or podman through DOCKER_HOST)
	@# Detached, then the exit code from $(DOCKER) wait: "up --exit-code-from"
	@# takes it from docker-compose's log follower, which gives up (a Python
	@# traceback, exit 1, the suites still running) when the container prints
	@# nothing for COMPOSE_HTTP_TIMEOUT (60 s by default; the suites compile
	@# for longer than that on a loaded machine). The follower gets 600 s here,
	@# and if it still breaks the logs are printed once the suites exit.
	@# --always-recreate-deps: the mock and the API start after the suites'
	@# image is built, as from scratch, not minutes earlier (make up): the
	@# API's first key-set fetch after a long idle then timed out at the
	@# stack's 1s provider timeout and failed the faults suite.
	VERSION=$(VERSION) $(COMPOSE) --profile test up --build --always-recreate-deps --detach suites; \
	  status=$$?; \
	  if [ $$status = 0 ]; then \
	    id=$$($(COMPOSE) --profile test ps -q suites); \
	    followed=1; \
	    COMPOSE_HTTP_TIMEOUT=$${COMPOSE_HTTP_TIMEOUT:-600} $(COMPOSE) --profile test logs --follow --no-color suites || followed=0; \
	    if [ $$followed = 0 ]; then echo "compose-test: the log stream broke; waiting for the suites container to exit" >&2; fi; \
	    status=$$($(DOCKER) wait $$id) || status=1; \
	    if [ $$followed = 0 ]; then $(COMPOSE) --profile test logs --no-color suites; fi; \
	    echo "compose-test: the suites container exited with $$status"; \
	  fi; \
	  if [ "$$status" != 0 ]; then $(COMPOSE) --profile test logs --no-color mockidp api suites; fi; \
	  $(COMPOSE) --profile test down --remove-orphans; exit $$status

.PHONY: compose-live
compose-live: ## Run the live smoke suite in a container with DESCOPE_* from .env (Docker, or podman through DOCKER_HOST)
	VERSION=$(VERSION) $(COMPOSE) --profile live build live
	VERSION=$(VERSION) $(COMPOSE) --profile live run --rm live

.PHONY: compose-config
compose-config: ## Validate docker-compose.yml for every profile (needs docker-compose, not Docker)
	$(COMPOSE) config -q
	$(COMPOSE) --profile test config -q
	$(COMPOSE) --profile live config -q

.PHONY: clean
clean: ## Remove build output and reports
	rm -rf $(BIN) $(REPORTS)

.PHONY: test-web
test-web: build ## The React app in webapp/ (@descope/react-sdk, bundled by esbuild) signs in against bin/mockidp in headless Chromium (playwright-core driving Debian's chromium): OTP, links, refresh, logout, cookie mode, OIDC mode, Descope flows with the real <descope-wc>
	cd webapp && npm ci --no-audit --no-fund && npm run build
	@# Each test has its own timeout (60 s; 90 s for the README example); the
	@# 300 s one bounds each test file, whose tests run one after another.
	cd webapp && HARNESS_BIN_DIR='$(CURDIR)/$(BIN)' node --test --test-reporter=spec --test-timeout=300000 test/*.test.mjs
