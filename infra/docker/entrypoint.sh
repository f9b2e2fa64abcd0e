#!/bin/sh
# Runs one learnchain service from the built image.
set -e
service="${1:-help}"
[ $# -gt 0 ] && shift
case "$service" in
  registry|validator|aggregator|trainer)
    exec node "/app/services/$service/dist/main.js" "$@" ;;
  learnchain)
    exec node /app/cli/dist/main.js "$@" ;;
  help|--help|-h)
    echo "usage: learnchain-service registry|validator|aggregator|trainer|learnchain [flags]"
    echo "every flag has an environment variable too; see README.md, Configuration"
    ;;
  *)
    echo "unknown service '$service'" >&2
    exit 2 ;;
esac
