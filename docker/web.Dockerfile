# web: sign-in, pages, JSON API and the proxy to viz. Stages: base → deps → development | build → production.
ARG NODE_IMAGE=node:24-bookworm-slim
FROM ${NODE_IMAGE} AS base
ENV PNPM_HOME=/pnpm PATH=/pnpm:$PATH CI=true
RUN npm install -g pnpm@10.34.9 && npm cache clean --force
WORKDIR /app

# Manifests first, so dependency layers are rebuilt only when a manifest or the lockfile changes.
FROM base AS manifests
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml tsconfig.base.json ./
COPY services/core/package.json services/core/
COPY services/data/package.json services/data/
COPY services/ml/package.json services/ml/
COPY services/jobs/package.json services/jobs/
COPY services/models/package.json services/models/
COPY services/users/package.json services/users/
COPY web/package.json web/
COPY viz/package.json viz/
COPY serve/package.json serve/

FROM manifests AS deps
RUN pnpm install --frozen-lockfile --store-dir /tmp/pnpm-store && rm -rf /tmp/pnpm-store

# Development: sources are mounted over /app by docker/docker-compose.dev.yml; tsx reloads on change.
# Debian's Chromium is for the end-to-end suite that the Run Tests page starts (Playwright never
# downloads a browser here).
FROM deps AS development
ENV NODE_ENV=development CHROMIUM_PATH=/usr/bin/chromium
RUN apt-get update && apt-get install -y --no-install-recommends chromium fonts-liberation \
  && rm -rf /var/lib/apt/lists/*
COPY . .
RUN mkdir -p reports && chown -R node:node /app
USER node
EXPOSE 5000
CMD ["node_modules/.bin/tsx", "watch", "--clear-screen=false", "--conditions=development", "web/src/main.ts"]

FROM deps AS build
COPY services services
COPY web web
RUN node_modules/.bin/tsc -b web

FROM manifests AS production
ENV NODE_ENV=production
RUN pnpm install --frozen-lockfile --prod --filter "@enchilada/web..." --store-dir /tmp/pnpm-store && rm -rf /tmp/pnpm-store
COPY --from=build /app/services/core/dist services/core/dist
COPY --from=build /app/services/data/dist services/data/dist
COPY --from=build /app/services/ml/dist services/ml/dist
COPY --from=build /app/services/jobs/dist services/jobs/dist
COPY --from=build /app/services/models/dist services/models/dist
COPY --from=build /app/services/users/dist services/users/dist
COPY --from=build /app/web/dist web/dist
COPY web/views web/views
COPY web/public web/public
COPY db/migrations db/migrations
COPY db/datasets/*.csv db/datasets/*.json db/datasets/
# The development-mode test runner is never loaded in production: leave no trace of it in the image.
RUN rm -rf web/dist/dev-runner web/dist/routes/dev-tests.* web/views/dev-test*.ejs web/dev-assets
# the uploads volume's mount point, owned by node so a new volume starts writable for it
RUN mkdir -p /app/uploads && chown node:node /app/uploads
USER node
EXPOSE 5000
HEALTHCHECK --interval=5s --timeout=3s --start-period=20s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.WEB_PORT||5000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "web/dist/main.js"]
