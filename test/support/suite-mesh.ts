/**
 * A fault suite's mesh and its one job as jest hooks: started before the
 * suite's tests, cleaned up after them (the process harness is mesh.ts).
 */
import type { SubmittedJob } from '../../cli/src/devnet/job';
import { Mesh, type MeshOptions } from './mesh';

/** A suite's mesh and its job, once started. */
export interface SuiteMesh {
  readonly mesh: Mesh;
  readonly job: SubmittedJob;
}

/**
 * Starts a mesh and submits the devnet's job before the suite's tests (and
 * waits for the job's round `committedRound` when above 0); cleans the mesh up
 * after them. The tests read both from what it returns, which throws while
 * nothing started.
 */
export function meshForSuite(options: MeshOptions, committedRound = 1): SuiteMesh {
  let mesh: Mesh | undefined;
  let job: SubmittedJob | undefined;
  beforeAll(async () => {
    mesh = await Mesh.start(options);
    job = await mesh.submitJob();
    if (committedRound > 0) await mesh.committed(job.jobId, committedRound);
  }, 400_000);
  afterAll(async () => {
    await mesh?.cleanup();
  }, 120_000);
  return {
    get mesh(): Mesh {
      if (!mesh) throw new Error('the mesh did not start');
      return mesh;
    },
    get job(): SubmittedJob {
      if (!job) throw new Error('the job was not submitted');
      return job;
    },
  };
}
