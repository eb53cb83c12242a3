# viz: BokehJS documents and (later) training jobs. Stages: base → deps → development | build → production.
ARG NODE_IMAGE=node:24-bookworm-slim
FROM ${NODE_IMAGE} AS base
ENV PNPM_HOME=/pnpm PATH=/pnpm:$PATH CI=true
RUN npm install -g pnpm@10.34.9 && npm cache clean --force
WORKDIR /app

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

FROM deps AS development
ENV NODE_ENV=development
COPY . .
RUN chown -R node:node /app
USER node
EXPOSE 5006
CMD ["node_modules/.bin/tsx", "watch", "--clear-screen=false", "--conditions=development", "viz/src/main.ts"]

FROM deps AS build
COPY services services
COPY viz viz
RUN node_modules/.bin/tsc -b viz

FROM manifests AS production
ENV NODE_ENV=production
# onnxruntime-node ships binaries for every platform; keep only this one's (saves ~240 MB).
RUN pnpm install --frozen-lockfile --prod --filter "@enchilada/viz..." --store-dir /tmp/pnpm-store && rm -rf /tmp/pnpm-store \
 && arch=$(node -p "process.arch") \
 && for d in node_modules/.pnpm/onnxruntime-node@*/node_modules/onnxruntime-node/bin/napi-v*; do \
      find "$d" -mindepth 1 -maxdepth 1 ! -name linux -exec rm -rf {} + ; \
      find "$d/linux" -mindepth 1 -maxdepth 1 ! -name "$arch" -exec rm -rf {} + ; \
    done
COPY --from=build /app/services/core/dist services/core/dist
COPY --from=build /app/services/data/dist services/data/dist
COPY --from=build /app/services/ml/dist services/ml/dist
COPY --from=build /app/services/jobs/dist services/jobs/dist
COPY --from=build /app/services/models/dist services/models/dist
COPY --from=build /app/viz/dist viz/dist
USER node
EXPOSE 5006
HEALTHCHECK --interval=5s --timeout=3s --start-period=20s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.VIZ_PORT||5006)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "viz/dist/main.js"]
