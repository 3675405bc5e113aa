# The bot's own image (linux/amd64 and linux/arm64, built by .github/workflows/release.yml).
FROM python:3.12-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends git \
    && rm -rf /var/lib/apt/lists/*
COPY . /src
RUN pip install --no-cache-dir /src && rm -rf /src
ENTRYPOINT ["bot"]
