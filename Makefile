# aicity: two-command setup. `make demo` builds the bundled example; `make test` runs the tests.
PY ?= python3.11
BOOT := .venv-tools
UV := $(BOOT)/bin/uv
VENV := .venv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

# Debian packages the project needs: PDF (pango), browser tests (chromium), PDF to PNG (poppler), CJK font for
# the browser, Java for the Spark extra.
DEB_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 chromium poppler-utils fonts-noto-cjk openjdk-17-jre-headless

.PHONY: demo test redteam bench bench-web lint sysdeps env clean model

sysdeps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else \
	    echo "Missing Debian packages:$$missing"; \
	    echo "Install them with: sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi

$(UV):
	$(PY) -m venv $(BOOT)
	$(BOOT)/bin/pip install -q uv

# --compile-bytecode: where PYTHONDONTWRITEBYTECODE is set, every start would otherwise compile pandas
# and friends from source (`aicity --help` 3.2 s instead of 0.8 s)
$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --all-extras --python $(PY) --compile-bytecode
	touch $@

env: sysdeps $(VENV)/.synced

demo: env
	$(VENV)/bin/aicity demo --out out

test: env
	$(VENV)/bin/python -m pytest -q -n 2 --dist loadgroup

# the whole red-team suite (tests/security), its slower parts (marked redteam) included
redteam: env
	$(VENV)/bin/python -m pytest -q tests/security -m "redteam or not redteam"

bench: env
	$(VENV)/bin/python benchmarks/run.py

# the rankings API under load (32 keep-alive clients, 20 s, new weights per request); exits 1 when a goal
# (p99 <= 50 ms, >= 300 req/s, 0 errors, server RSS growth <= 50 MB) is missed
bench-web: env
	$(VENV)/bin/python benchmarks/bench_web.py

# the learned model shipped in the package (src/aicity/data/bundled_model.joblib), trained on the bundled labels and
# taxonomy: rerun after editing firms_labelled.csv, taxonomy.csv or the classifier's code, and commit the file
model: env
	$(VENV)/bin/python -c "from aicity.workflows.models import write_bundled_model as w; p, m = w(); \
	print(p, {k: m[k] for k in ('n_train', 'training_sha256', 'taxonomy_sha256', 'sklearn', 'code_sha256')})"

lint: env
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks
	$(VENV)/bin/mypy src

clean:
	rm -rf $(VENV) $(BOOT) out .pytest_cache
