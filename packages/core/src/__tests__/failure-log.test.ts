import { createLogger, FailureLog } from '../index';

function recorded() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ service: 'test', level: 'info', destination: { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) } });
  return { lines, log: new FailureLog(logger, 'lease sweep', 'every 500 ms') };
}

const away = (): Error => new Error('database "x" is not currently accepting connections');

describe('FailureLog', () => {
  it('says once that the database is away, and once that the task works again', () => {
    const { lines, log } = recorded();
    for (let i = 0; i < 5; i++) log.failed(away());
    log.succeeded();
    log.succeeded();
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [40, 'lease sweep failed: the database is away; trying again every 500 ms'],
      [30, 'lease sweep works again'],
    ]);
    expect(lines[1]).toMatchObject({ failedTries: 5 });
    log.failed(away());
    expect(lines).toHaveLength(3);
  });

  it('reports every failure that is not the database being away, as an error', () => {
    const { lines, log } = recorded();
    log.failed(new Error('bug'));
    log.failed(new Error('bug'));
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [50, 'lease sweep failed; trying again every 500 ms'],
      [50, 'lease sweep failed; trying again every 500 ms'],
    ]);
  });
});
