# Ferry container image: `ferry nightly` for cron-style jobs, `ferry serve` / `ferry work` for deployments.
# Your project (ferry.config.yaml, datasets/) goes in /project: mount it (-v "$PWD:/project", a
# Kubernetes volume) or add it in a layer of your own (`FROM ferry` + `COPY . /project`).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bench ./bench
RUN npm run build

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY src/schemas ./src/schemas
COPY examples ./examples
# Local state (only the local default uses it) stays out of the project folder, which may be read-only.
ENV FERRY_HOME=/var/lib/ferry
RUN mkdir -p /project /var/lib/ferry && chown node /var/lib/ferry
WORKDIR /project
USER node
ENTRYPOINT ["node", "/app/bin/ferry.js"]
CMD ["nightly"]
