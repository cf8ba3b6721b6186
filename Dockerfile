# schema-apply: a one-shot batch that brings a MySQL database to Schemafile.sql (see DESIGN.md).
#
#   docker build -t schema-apply .                                  (needs Docker Hub's python image)
#   docker build --build-arg BASE=my-registry/python:3.12-slim .     (any Debian-like image with python3)
#   docker build --build-arg SSL_CA_BUNDLE=global-bundle.pem .       (carry the RDS CA bundle: see below)
#
# Run by ECS with ecs/task-definition.json: read-only root filesystem, credentials from credstash
# through the task role, output unbuffered to stdout for CloudWatch.
ARG BASE=python:3.12-slim

# --- build: a virtual environment with the locked dependencies and schema-apply itself ----------
FROM ${BASE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
COPY requirements.lock requirements-build.lock ./
RUN python3 -m venv /opt/schema-apply \
 && /opt/schema-apply/bin/pip install --require-hashes --no-deps --only-binary=:all: -r requirements.lock \
 && python3 -m venv /opt/build \
 && /opt/build/bin/pip install --require-hashes --no-deps -r requirements-build.lock
COPY pyproject.toml README.m[d] ./
COPY schema_apply ./schema_apply
RUN /opt/build/bin/pip wheel --no-deps --no-build-isolation --wheel-dir /wheels . \
 && /opt/schema-apply/bin/pip install --no-deps --no-index /wheels/*.whl \
 && /opt/schema-apply/bin/pip uninstall --yes pip

# --- runtime: the environment, the Schemafile, a user without a home, nothing else -------------
FROM ${BASE}
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PATH=/opt/schema-apply/bin:$PATH
# The CA bundle that --ssl-mode verify-ca / verify-identity check the server against (the task
# definition points SCHEMA_APPLY_SSL_CA at it). Nothing here downloads it: put the public bundle — for
# RDS, global-bundle.pem from AWS — in the build context's root (.dockerignore lets *.pem through)
# and name it:   docker build --build-arg SSL_CA_BUNDLE=global-bundle.pem .
# Without the argument the image carries no bundle, and a verifying mode says so when it starts.
ARG SSL_CA_BUNDLE=""
RUN --mount=type=bind,target=/context \
    groupadd --system --gid 10001 schema-apply \
 && useradd --system --uid 10001 --gid schema-apply --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin schema-apply \
 && if [ -n "${SSL_CA_BUNDLE}" ]; then \
        grep -q -- "-----BEGIN CERTIFICATE-----" "/context/${SSL_CA_BUNDLE}" \
        || { echo "SSL_CA_BUNDLE=${SSL_CA_BUNDLE}: not a PEM CA bundle in the build context" >&2; exit 1; }; \
        install -D -m 0444 "/context/${SSL_CA_BUNDLE}" /etc/schema-apply/ca-bundle.pem; \
    fi
COPY --from=build /opt/schema-apply /opt/schema-apply
WORKDIR /app
COPY Schemafile.sql ./
USER 10001:10001
ENTRYPOINT ["schema-apply"]
CMD ["plan"]
