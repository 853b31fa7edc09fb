# The two commands of the README's Quick start. Both create/refresh .venv/ first (a no-op
# when nothing changed) and need nothing but python3.11 and the package registries.
.PHONY: run test lint bench

run:
	@scripts/run.sh

test:
	@scripts/test.sh

lint:
	@scripts/bootstrap.sh && .venv/bin/ruff check . && .venv/bin/ruff format --check .

bench:
	@scripts/bootstrap.sh && .venv/bin/python -m evals.platform_bench
