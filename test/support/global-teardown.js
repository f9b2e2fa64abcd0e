module.exports = async function globalTeardown() {
  const report = globalThis.__learnchainServices;
  for (const stop of report?.stops ?? []) await stop();
};
