// Ends the run with the real-service suites that were skipped and why, then one
// plain line a CI log reader understands: "tests: N passed, N failed, N skipped".
// Written at process exit, so it comes after jest's own summary.
const { writeSync } = require('node:fs');

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const report = globalThis.__learnchainServices;
    const lines = (report?.lines ?? []).filter((line) => /SKIPPED|FAIL/.test(line)).map((line) => `learnchain test: ${line}`);
    const skipped = results.numPendingTests + results.numTodoTests;
    lines.push(`tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped`);
    process.once('exit', () => writeSync(2, `\n${lines.join('\n')}\n`));
  }
}

module.exports = SummaryReporter;
