# Mlops.Server as a container image (docs/container.md). This file is not built where it was written
# (that machine has no Docker engine); tests check what can be checked without one: the publish
# profile's output starts and serves, and this file's user, port, health check and folders agree with
# the server and with the manifests `mlops render k8s` writes.
#   docker build -t mlops-server:VERSION .
#   docker run --read-only --tmpfs /tmp --tmpfs /var/cache/mlops -p 8080:8080 \
#     -e Mlops__Environment=staging -e Mlops__GitUrl=https://github.com/acme/models.git \
#     -e Mlops__Store=s3://BUCKET/PREFIX mlops-server:VERSION
ARG DOTNET_VERSION=10.0

# Build: a self-contained linux-x64 publish (src/Mlops.Server/Properties/PublishProfiles/linux-x64.pubxml).
FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/Mlops.Server -p:PublishProfile=linux-x64 -o /app

# Run: runtime-deps holds the native libraries .NET needs and no SDK, runtime or shell tools beyond the base image's.
FROM mcr.microsoft.com/dotnet/runtime-deps:${DOTNET_VERSION} AS final
WORKDIR /app
# Owned by root and not writable by the app user: nothing under /app changes at run time.
COPY --from=build /app .
# Where the server listens, and where it keeps verified bundles and the git cache clone: the only
# folder it writes besides /tmp. Mount both (tmpfs, emptyDir) when the root filesystem is read-only.
ENV ASPNETCORE_HTTP_PORTS=8080 \
    Mlops__CacheFolder=/var/cache/mlops
EXPOSE 8080
# The images' non-root `app` user (uid 1654).
USER $APP_UID
# The image has no curl or wget: the server asks its own liveness route (Mlops.Server --health-check).
HEALTHCHECK --interval=10s --timeout=5s --start-period=15s --retries=3 CMD ["/app/Mlops.Server", "--health-check"]
ENTRYPOINT ["/app/Mlops.Server"]
