// Decides, once per test run, which real services the integration suites use.
// DATABASE_URL / NATS_URL win; otherwise testcontainers starts them where a
// container runtime exists; otherwise those suites skip, and say so — unless
// LEARNCHAIN_REQUIRE_SERVICES=1, where a missing service fails the run.
const { resolveServices } = require('./services-resolve.js');

module.exports = async function globalSetup() {
  const report = await resolveServices(process.env);
  globalThis.__learnchainServices = report;
  for (const line of report.lines) process.stderr.write(`learnchain test: ${line}\n`);
};
