# One image for the control plane and the journey workers. The Playwright
# image carries Node and a Chromium that matches playwright-core's version.
FROM mcr.microsoft.com/playwright:v1.65.1-noble

ENV NODE_ENV=production \
    KEPT_SKIP_BROWSER_INSTALL=1 \
    KEPT_DATA_DIR=/data

WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY src ./src
COPY checks ./checks
COPY workers ./workers
COPY drizzle ./drizzle
COPY tsconfig.json ./

RUN mkdir -p /data && chown pwuser:pwuser /data
USER pwuser
EXPOSE 3000
CMD ["node", "--import", "tsx", "src/cli/kept.ts", "start"]
