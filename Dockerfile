# Gatehouse in a container: built from source in the SDK image, run as a non-root user in the small runtime-deps image
# (the executable is self-contained: the image needs no .NET runtime). See docs/install.md.
#
#   docker build -t gatehouse .
#   docker run --rm -p 8080:8080 -v "$PWD/gatehouse.json:/etc/gatehouse/gatehouse.json:ro" gatehouse
#
# Multi-architecture (the build stage runs on the builder's platform and cross-publishes):
#   docker buildx build --platform linux/amd64,linux/arm64 -t gatehouse .

FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG TARGETARCH
# clang and zlib link the Native AOT executable (packaging/publish.sh builds one for the builder's own architecture; a
# cross-built architecture gets the single-file build, see docs/install.md).
RUN apt-get update && apt-get install -y --no-install-recommends clang zlib1g-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN case "$TARGETARCH" in arm64) rid=linux-arm64 ;; *) rid=linux-x64 ;; esac \
    && packaging/publish.sh "$rid" \
    && install -D -m 0755 "artifacts/publish/$rid/gatehouse" /out/usr/lib/gatehouse/gatehouse \
    && install -D -m 0644 schemas/gatehouse.schema.json /out/usr/share/gatehouse/gatehouse.schema.json \
    && install -D -m 0644 packaging/docker/gatehouse.json /out/etc/gatehouse/gatehouse.json

FROM mcr.microsoft.com/dotnet/runtime-deps:10.0
COPY --from=build /out/ /
# The image's unprivileged user (APP_UID, 1654) owns the state folder (ACME certificates, the local CA) and nothing else.
RUN ln -s /usr/lib/gatehouse/gatehouse /usr/bin/gatehouse \
    && mkdir -p /var/lib/gatehouse && chown "$APP_UID" /var/lib/gatehouse && chmod 0700 /var/lib/gatehouse
USER $APP_UID
WORKDIR /var/lib/gatehouse
VOLUME /var/lib/gatehouse
EXPOSE 8080 8443
# docker stop sends SIGTERM: Gatehouse drains in-flight requests (server.drainTimeout), so give it time: --stop-timeout.
# docker kill -s HUP reloads the config.
ENTRYPOINT ["gatehouse"]
CMD ["run", "--config", "/etc/gatehouse/gatehouse.json"]
