FROM python:3.11-slim

RUN pip install --no-cache-dir uv \
    && apt-get update && apt-get install -y --no-install-recommends libzbar0 postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml uv.lock .python-version README.md ./
COPY mediathek ./mediathek
COPY frontend ./frontend
COPY migrations ./migrations
RUN uv sync --frozen --no-dev

ENV MEDIATHEK_DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 8000
# Migrations run on start (mediathek serve applies them before it listens).
CMD ["uv", "run", "--no-dev", "mediathek", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
