# One image for every learnchain service; the command picks the service:
#   docker run learnchain registry | validator | aggregator | trainer | learnchain ...
# GPU trainers: build with --build-arg ONNXRUNTIME_NODE_INSTALL=cuda12 (needs the
# network to fetch onnxruntime's CUDA binaries at build time).

FROM node:20-bookworm-slim AS build
WORKDIR /app
ARG ONNXRUNTIME_NODE_INSTALL=skip
COPY . .
RUN npm ci --no-audit --no-fund \
 && if [ "$ONNXRUNTIME_NODE_INSTALL" != "skip" ]; then \
      (cd node_modules/onnxruntime-node && ONNXRUNTIME_NODE_INSTALL="$ONNXRUNTIME_NODE_INSTALL" node ./script/install); \
    fi \
 && npm run build \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production \
    OTEL_METRICS_EXPORTER=none \
    OTEL_LOGS_EXPORTER=none
COPY --from=build /app /app
COPY infra/docker/entrypoint.sh /usr/local/bin/learnchain-service
USER node
ENTRYPOINT ["learnchain-service"]
CMD ["help"]
