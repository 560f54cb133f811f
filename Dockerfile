# Planetarium container image.
# Stage 1 compiles the TypeScript and better-sqlite3's native addon; stage 2 is a slim Node 20
# runtime that runs `planet` as an unprivileged user with the database in the /data volume.
#
#   docker build -t planetarium .
#   docker run -d --name planet --init -p 8080:8080 -v planet-data:/data planetarium
#   docker run --rm --init -v planet-data:/data planetarium fetch

FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary can be downloaded.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are copied; the native addon is built next.
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && npm rebuild better-sqlite3
COPY . .
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    PLANET_DB=/data/planet.db \
    HOST=0.0.0.0 \
    PORT=8080 \
    LOG_LEVEL=info
WORKDIR /app
# Root owns the code (read-only to the app); the "node" user (uid 1000) owns only /data.
COPY --from=build /app /app
RUN chmod 755 /app/bin/planet.js \
 && ln -s /app/bin/planet.js /usr/local/bin/planet \
 && mkdir -p /data \
 && chown node:node /data
VOLUME ["/data"]
USER node
EXPOSE 8080
# node, not curl: the slim image has no curl. /healthz is 200 while the database answers.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["planet"]
CMD ["serve"]
