# sendboard: Airflow 3 with the project installed from uv.lock (the lock is what pins; Airflow's
# constraints file is not used). One image for every Airflow service in docker-compose.yml.
FROM python:3.11-slim-bookworm

ENV PYTHONUNBUFFERED=1 UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy \
    DO_NOT_TRACK=1 GX_ANALYTICS_ENABLED=False SCARF_ANALYTICS=false DBT_SEND_ANONYMOUS_USAGE_STATS=False \
    AIRFLOW__COSMOS__ENABLE_TELEMETRY=False AIRFLOW__CORE__LOAD_EXAMPLES=False \
    AIRFLOW_HOME=/opt/airflow SENDBOARD_HOME=/data/sendboard SENDBOARD_INBOX=/data/inbox

# Debian's Chromium prints board_pack.pdf at publication
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium \
    && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir uv==0.13.9 \
    && useradd --create-home --uid 50000 airflow \
    && mkdir -p /opt/airflow/logs /data/sendboard /data/inbox \
    && chown -R airflow /opt/airflow /data/sendboard

WORKDIR /opt/sendboard
# dependencies first (cached while only the code changes), exactly as locked, without dev tools
COPY pyproject.toml uv.lock README.md ./
COPY include ./include
RUN uv sync --frozen --no-dev --compile-bytecode
COPY dags ./dags
COPY dbt ./dbt
COPY expectations ./expectations
# Cosmos renders the publish DAG from dbt's manifest: build it into the image
RUN .venv/bin/python -m sendboard.warehouse.dbt_manifest && chown -R airflow /opt/sendboard

ENV PATH=/opt/sendboard/.venv/bin:$PATH AIRFLOW__CORE__DAGS_FOLDER=/opt/sendboard/dags
USER airflow
