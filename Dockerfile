# syntax=docker/dockerfile:1
# Clofri gateway: serves the API, the WebSocket edge and the built web client on one port.

# ---- build: every dependency, then the web client and the gateway bundle (`npm run build`) ----
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY apps/gateway/package.json apps/gateway/
COPY apps/web/package.json apps/web/
COPY packages/actors/package.json packages/actors/
COPY packages/protocol/package.json packages/protocol/
# `npm install`, not `npm ci`: see .ci/run (the lockfile lacks other platforms' optional packages).
RUN npm install --no-audit --no-fund
COPY . .
RUN npm run build

# ---- production dependencies: what the bundle loads at run time (uWS's native binary, PGlite's
# WebAssembly), without compilers, test tools or the sources ----
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY apps/gateway/package.json apps/gateway/
COPY apps/web/package.json apps/web/
COPY packages/actors/package.json packages/actors/
COPY packages/protocol/package.json packages/protocol/
RUN npm install --omit=dev --no-audit --no-fund

# ---- runtime: the two bundles and node_modules, run by plain node ----
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/apps/gateway/dist ./apps/gateway/dist
COPY --from=build /app/apps/web/dist ./apps/web/dist
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3000/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Not `npm start`: that builds first, and npm would stand between the gateway and SIGTERM.
CMD ["node", "apps/gateway/dist/main.mjs"]
