# complyd container image (Node 24). Build: docker build -t complyd .
FROM node:24-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY benchmarks ./benchmarks
# npm ci compiles to dist/ (prepare script) and builds sqlite3 from source.
RUN npm ci --no-audit --no-fund && npm prune --omit=dev

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# Node >= 22.1 keeps compiled code here between runs: a one-off `docker run ... report` starts faster.
ENV NODE_COMPILE_CACHE=/tmp/complyd-compile-cache
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY templates ./templates
COPY config ./config
USER node
ENTRYPOINT ["node", "/app/dist/src/cli/bin.js"]
CMD ["daemon", "--config", "/etc/complyd/complyd.yaml"]
