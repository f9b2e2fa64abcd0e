module.exports = async function globalTeardown() {
  const report = globalThis.__learnchainServices;
  if (!report) return;
  for (const stop of report.stops) await stop();
  for (const line of report.lines) if (/SKIPPED|FAIL/.test(line)) process.stderr.write(`learnchain test: ${line}\n`);
};
