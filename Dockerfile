# syntax=docker/dockerfile:1
# Booky's production image: gunicorn serving booky.wsgi, static files built in and served by whitenoise.
FROM python:3.13-slim

# The same uv release that wrote uv.lock.
RUN pip install --no-cache-dir uv==0.13.9

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_PYTHON=/usr/local/bin/python3 \
    PATH=/app/.venv/bin:$PATH

WORKDIR /app

# Dependencies first, so code changes do not reinstall them.
COPY pyproject.toml uv.lock .python-version ./
RUN uv sync --locked --no-dev --no-install-project

COPY . .
RUN uv sync --locked --no-dev

# collectstatic needs settings to load; these values exist only for this build step.
RUN SECRET_KEY=collectstatic-only-build-key-not-used-at-runtime-0123456789 \
    ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput

RUN useradd --system --uid 10001 --user-group --home-dir /app --no-create-home booky \
    && mkdir -p /app/media \
    && chown booky:booky /app/media
USER booky

EXPOSE 8000
# booky/gunicorn.conf.py: WEB_CONCURRENCY workers; on SIGTERM /readyz turns 503, then it drains.
CMD ["gunicorn", "--config", "booky/gunicorn.conf.py", "--bind", "0.0.0.0:8000"]
