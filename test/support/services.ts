/**
 * Gates integration suites on the real services they need. The decision was
 * made once in global-setup.js: a suite runs when the service's URL is known,
 * skips (and says why) when it is not, and fails when the run demands every
 * service (LEARNCHAIN_REQUIRE_SERVICES=1).
 */
export type Service = 'postgres' | 'nats';

const ENV: Record<Service, string> = { postgres: 'DATABASE_URL', nats: 'NATS_URL' };

export function serviceUrl(service: Service): string {
  const url = process.env[ENV[service]];
  if (!url) throw new Error(`${ENV[service]} is not set`);
  return url;
}

export function describeWith(services: readonly Service[], name: string, body: () => void): void {
  const missing = services.filter((s) => !process.env[ENV[s]]);
  if (missing.length === 0) {
    describe(name, body);
    return;
  }
  const why = missing.map((s) => process.env[`LEARNCHAIN_MISSING_${s.toUpperCase()}`] ?? `${ENV[s]} is not set`).join('; ');
  if (process.env.LEARNCHAIN_REQUIRE_SERVICES === '1') {
    describe(name, () => {
      it(`needs ${missing.join(' and ')}`, () => {
        throw new Error(`required service missing: ${why}`);
      });
    });
    return;
  }
  describe.skip(`${name} [skipped: ${why}]`, body);
}

/** A name no other test run or file will pick: for schemas, streams, subjects. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`;
}
