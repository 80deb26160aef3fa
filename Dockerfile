# One image for the control plane (`kept api`) and the journey workers
# (`kept worker`): Node 20 on Debian 12 with Debian's Chromium, which
# playwright-core drives (no browser download), run as an unprivileged user
# whose root filesystem may be read-only (docs/deploy.md).
#   docker build -t kept .
#   docker run --rm kept --help
FROM node:20-bookworm-slim

# Chromium and the fonts pages expect; tini as PID 1 reaps the processes
# Chromium leaves to it and passes SIGTERM on, so Kept stops gracefully.
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium fonts-liberation fonts-noto-color-emoji tini ca-certificates \
 && rm -rf /var/lib/apt/lists/*

# HOME=/tmp: Chromium and tsx write their caches there, the only writable
# place besides the data dir when the root filesystem is read-only.
ENV NODE_ENV=production \
    KEPT_CHROMIUM_PATH=/usr/bin/chromium \
    KEPT_SKIP_BROWSER_INSTALL=1 \
    KEPT_DATA_DIR=/data \
    HOST=0.0.0.0 \
    HOME=/tmp

WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the package's own postinstall (the browser check, not
# needed with Debian's Chromium) would run before src/ is copied and fail;
# esbuild, tsx's compiler, takes its binary from its platform package.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY tsconfig.json ./
COPY src ./src
COPY checks ./checks
COPY workers ./workers
COPY drizzle ./drizzle

# A numeric user, so Kubernetes' runAsNonRoot can check it is not root.
RUN groupadd --gid 10001 kept \
 && useradd --uid 10001 --gid kept --no-create-home --home-dir /tmp --shell /usr/sbin/nologin kept \
 && mkdir -p /data && chown kept:kept /data
USER 10001:10001
VOLUME /data
EXPOSE 3000
ENTRYPOINT ["/usr/bin/tini", "--", "node", "--import", "tsx", "src/cli/kept.ts"]
CMD ["start"]
