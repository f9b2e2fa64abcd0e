/** `learnchain report`: a job's training report (HTML and PNG charts) read from the chain. */
import { parseArgs, UsageError, type Command, type Output } from '../command';
import { checkFlags, serviceAddress, wantsJson } from '../client/flags';
import { writeReport } from '../report';

const FLAGS = ['job', 'out', 'validator', 'aggregator', 'no-models', 'json'];

export const reportCommand: Command = {
  path: ['report'],
  summary: 'write a job’s training report: an HTML page with PNG charts, read from the chain',
  usage: 'learnchain report --job ID --out DIR [--validator HOST:PORT] [--aggregator HOST:PORT | --no-models] [--json]',
  async run(args: readonly string[], out: Output): Promise<number> {
    const { flags, rest } = parseArgs(args);
    checkFlags(flags, FLAGS);
    if (rest.length > 0) throw new UsageError(`unexpected argument ${rest[0]}`);
    const jobId = flags.get('job');
    if (!jobId || jobId === 'true') throw new UsageError('--job ID is required');
    const dir = flags.get('out');
    if (!dir || dir === 'true') throw new UsageError('--out DIR is required');
    const validator = serviceAddress(flags, 'validator');
    const models = flags.get('no-models') === undefined || flags.get('no-models') === 'false';
    const report = await writeReport({ jobId, out: dir, validator, ...(models ? { aggregator: serviceAddress(flags, 'aggregator') } : {}) });
    if (wantsJson(flags)) {
      out.info(JSON.stringify({ html: report.html, images: report.images, rounds: report.record.rounds.length, overhead_fraction: report.overhead, notes: report.notes }));
      return 0;
    }
    out.info(`report of job ${jobId}: ${report.record.rounds.length} rounds from heights ${report.record.job.height}-${report.record.blocks[report.record.blocks.length - 1]?.height ?? report.record.job.height}`);
    for (const image of report.images) out.info(`  ${image.path} (${image.width}×${image.height})`);
    for (const note of report.notes) out.info(`  note: ${note}`);
    out.info(report.html);
    return 0;
  },
};
