# Lexloci application image: web (gunicorn), worker and beat (celery), the relay and the
# one-shot migrate service all run from it.
#
# Runtime dependencies only: requirements.txt is the runtime lock (requirements-dev.txt,
# with the test and lint tools, is for `make install` and never enters the image), and
# .dockerignore keeps the tests, benchmarks, CI and local state out of the build context.
FROM python:3.13-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

# The Debian libraries WeasyPrint loads for the case memo PDF (Makefile RUNTIME_DEBS).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
RUN DEBUG=0 SECRET_KEY=build-only-collectstatic python manage.py collectstatic --noinput \
    && useradd --system --uid 10001 lexloci && mkdir -p /app/var/media && chown -R lexloci /app/var
USER lexloci

EXPOSE 8000
CMD ["gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi:application"]
