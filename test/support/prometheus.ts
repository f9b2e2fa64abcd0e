/** Sum of the samples of `name` whose labels include `labels` (Prometheus text format); 0 when there are none (a labelled metric nothing has touched yet). */
export function sample(text: string | undefined, name: string, labels: Readonly<Record<string, string>> = {}): number {
  let total = 0;
  for (const line of (text ?? '').split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = new Map([...(match[2] ?? '').matchAll(/([a-zA-Z_]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).some(([k, v]) => have.get(k) !== v)) continue;
    total += Number(match[3]);
  }
  return total;
}
