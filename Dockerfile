# phananh GIS API: production image.
#   docker build -t phananh .
#   docker run --rm -p 127.0.0.1:8000:8000 -e DATABASE_URL=postgresql://... -v /path/to/data:/data:ro phananh
# With DATABASE_URL set the embedded PostgreSQL cluster is never started (see gis_db/settings.py).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

# Every runtime dependency (shapely, pyproj, pyogrio, h3, psycopg[binary], ...) ships manylinux
# wheels with their C libraries bundled, so no compiler or GDAL/GEOS/libpq packages are needed.
WORKDIR /src
COPY pyproject.toml constraints.txt README.md ./
COPY gis_api/ gis_api/
COPY gis_db/ gis_db/
COPY boundaries/ boundaries/
COPY etl/ etl/
COPY tiles/ tiles/
COPY analytics/ analytics/
# The map viewer's MapLibre GL JS, from the npm registry, checked against its pinned SHA-512.
RUN pip install --no-cache-dir -c constraints.txt pooch && python -m gis_api.vendor
# A regular (non-editable) install: the code lives in site-packages and /src is only the build input.
RUN pip install --no-cache-dir -c constraints.txt .

# Non-root runtime user. Its home is the working directory so that anything written relative to
# the cwd (e.g. a .data/ folder) lands somewhere writable; /data itself is mounted read-only.
RUN groupadd --system phananh \
    && useradd --system --gid phananh --home-dir /home/phananh --create-home \
       --shell /usr/sbin/nologin phananh \
    && mkdir -p /data
USER phananh
WORKDIR /home/phananh

# Boundary data mirror (mount it read-only at this path).
ENV PHANANH_DATA_DIR=/data

EXPOSE 8000

# urlopen raises on connection errors and HTTP status >= 400, so a failing /healthz exits non-zero.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

CMD ["phananh", "serve", "--host", "0.0.0.0", "--port", "8000"]
