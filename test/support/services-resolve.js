/* Resolves PostgreSQL and NATS for the integration suites (see global-setup.js). */
const fs = require('node:fs');

function containerRuntimeExists(env) {
  if (env.DOCKER_HOST) return true;
  for (const socket of ['/var/run/docker.sock', `${env.HOME ?? ''}/.docker/run/docker.sock`]) {
    try {
      if (fs.statSync(socket).isSocket()) return true;
    } catch {
      /* no socket there */
    }
  }
  return false;
}

async function startWithTestcontainers(kind) {
  if (kind === 'postgres') {
    const { PostgreSqlContainer } = require('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:16-alpine').start();
    return { url: container.getConnectionUri(), stop: () => container.stop() };
  }
  const { GenericContainer, Wait } = require('testcontainers');
  const container = await new GenericContainer('nats:2.10-alpine')
    .withCommand(['-js'])
    .withExposedPorts(4222)
    .withWaitStrategy(Wait.forLogMessage(/Server is ready/))
    .start();
  return { url: `nats://${container.getHost()}:${container.getMappedPort(4222)}`, stop: () => container.stop() };
}

const SERVICES = [
  { kind: 'postgres', env: 'DATABASE_URL', label: 'PostgreSQL' },
  { kind: 'nats', env: 'NATS_URL', label: 'NATS JetStream' },
];

async function resolveServices(env) {
  const lines = [];
  const stops = [];
  const runtime = containerRuntimeExists(env);
  for (const service of SERVICES) {
    if (env[service.env]) {
      lines.push(`${service.label} suites use ${service.env}=${env[service.env]}`);
      continue;
    }
    if (runtime) {
      try {
        const started = await startWithTestcontainers(service.kind);
        env[service.env] = started.url;
        stops.push(started.stop);
        lines.push(`${service.label} suites use a testcontainers instance at ${started.url}`);
        continue;
      } catch (error) {
        lines.push(`${service.label}: testcontainers could not start one (${error.message})`);
      }
    }
    const why = `${service.env} is not set and no container runtime was found`;
    env[`LEARNCHAIN_MISSING_${service.kind.toUpperCase()}`] = why;
    lines.push(
      env.LEARNCHAIN_REQUIRE_SERVICES === '1'
        ? `${service.label} suites will FAIL: ${why} (LEARNCHAIN_REQUIRE_SERVICES=1)`
        : `${service.label} suites are SKIPPED: ${why}`,
    );
  }
  return { lines, stops };
}

module.exports = { resolveServices };
