# The cti110 service alone, for production next to an existing Asterisk 20/22 (reached over the
# network: set CTI110_ARI_URL, CTI110_ARI_PASSWORD, CTI110_AMI_HOST, CTI110_AMI_SECRET, ...; it will not
# start with the sandbox's known secrets).
# The sandbox Asterisk of scripts/ is for development and tests, not for this image.
FROM node:20-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY test ./test
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
# 0.0.0.0: reachable from outside the container, where plain HTTP must not go: put a TLS reverse
# proxy in front (the session cookie is then Secure, i.e. sent over https only). A lab without TLS
# sets CTI110_SECURE_COOKIE=false, knowing the session token then travels in clear.
# The ARI/AMI secrets have no default here: the service refuses the repository's known ones.
ENV NODE_ENV=production CTI110_HTTP_HOST=0.0.0.0 CTI110_SECURE_COOKIE=true CTI110_DB_PATH=/data/cti110.sqlite
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY package.json ./
COPY config/cti110.json ./config/cti110.json
# The pages (served from /app/web) and the dispatch grid (dispatch.gridDir) are read at start.
COPY web ./web
COPY config/grid ./config/grid
RUN mkdir -p /data && chown node:node /data
VOLUME /data
EXPOSE 8110
USER node
CMD ["node", "dist/src/main.js"]
