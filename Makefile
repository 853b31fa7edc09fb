# The two commands of the README's Quick start. Both create/refresh .venv/ first (a no-op
# when nothing changed) and need nothing but python3.11 and the package registries.
.PHONY: run test lint bench lock upgrade image image-ref

run:
	@scripts/run.sh

test:
	@scripts/test.sh

# requirements/*.lock from pyproject.toml and requirements/*.in: a changed dependency is
# resolved, every other version stays where it is.
lock:
	@scripts/bootstrap.sh 2>/dev/null || true
	@scripts/lock.sh

# Newest versions of everything, kept only when the whole suite passes on them (scratch venv).
upgrade:
	@scripts/upgrade.sh

lint:
	@scripts/bootstrap.sh && .venv/bin/ruff check . && .venv/bin/ruff format --check .

bench:
	@scripts/bootstrap.sh && .venv/bin/python -m evals.platform_bench

# The cluster image (cluster/Dockerfile), pushed, and named in cluster/kustomization.yaml.
TAG ?= $(shell sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml)-gpu
KUSTOMIZATION ?= cluster/kustomization.yaml
image:
	@test -n "$(REGISTRY)" || { echo "usage: make image REGISTRY=ghcr.io/your-org [TAG=...]" >&2; exit 2; }
	docker build -f cluster/Dockerfile -t $(REGISTRY)/order-support-agent:$(TAG) .
	docker push $(REGISTRY)/order-support-agent:$(TAG)
	@$(MAKE) --no-print-directory image-ref REGISTRY=$(REGISTRY) TAG=$(TAG)

# Points the kustomization's `images` entry at REGISTRY/order-support-agent:TAG.
image-ref:
	@test -n "$(REGISTRY)" || { echo "usage: make image-ref REGISTRY=ghcr.io/your-org [TAG=...]" >&2; exit 2; }
	sed -i -e 's|^\(    newName: \).*|\1$(REGISTRY)/order-support-agent|' \
	       -e 's|^\(    newTag: \).*|\1$(TAG)|' $(KUSTOMIZATION)
