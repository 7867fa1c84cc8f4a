# Production image: one image for web (gunicorn), worker and beat.
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=portal.settings.prod
# fonts-wqy-microhei: the CJK font the report pack's charts are drawn with (reports/charts.py)
RUN apt-get update && apt-get install -y --no-install-recommends gettext fonts-wqy-microhei \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
COPY --from=assets /app/node_modules ./node_modules
# collectstatic needs the settings to import; these throwaway values are never used at run time.
RUN SECRET_KEY=build-only-$(head -c 40 /dev/urandom | od -An -tx1 | tr -d ' \n') \
    DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost:6379/0 ALLOWED_HOSTS=build \
    python manage.py collectstatic --noinput -v0 && django-admin compilemessages -v0 --ignore='node_modules/*'
RUN useradd --system --home /app portal && mkdir -p /app/var && chown -R portal /app/var
USER portal
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
