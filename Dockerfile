# complyd container image on Node 24: `docker build -t complyd .` (README: Container image).
# Three stages: build compiles TypeScript with every dependency; deps installs the production
# dependencies alone (sqlite3 is built from source there); the runtime stage copies both
# results, without the toolchain, and runs as a non-root user.
FROM node:24-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY benchmarks ./benchmarks
# npm ci compiles to dist/ (the prepare script).
RUN npm ci --no-audit --no-fund

FROM node:24-bookworm-slim AS deps
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# No dev dependency, and no prepare script (it needs TypeScript); sqlite3 is then built on its own.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm rebuild sqlite3

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# Node >= 22.1 keeps compiled code here between runs: a one-off `docker run ... report` starts faster.
ENV NODE_COMPILE_CACHE=/tmp/complyd-compile-cache
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY templates ./templates
COPY config ./config
COPY schemas ./schemas
# The image's `node` user, by number, so that runAsNonRoot can be checked without a passwd lookup.
USER 1000:1000
EXPOSE 9464
ENTRYPOINT ["node", "/app/dist/src/cli/bin.js"]
CMD ["daemon", "--config", "/etc/complyd/complyd.yaml"]
