/**
 * The execution provider: CUDA when asked for or detected, else CPU. A CUDA
 * request on a machine where no CUDA session opens falls back to CPU with a
 * warning, or fails when a GPU is required.
 */
import { existsSync } from 'node:fs';

import { GraphBuilder, openSession, type ExecutionProvider } from '@learnchain/model';

import { GpuRequiredError } from './errors';

export type DeviceRequest = 'auto' | 'cpu' | 'cuda';

export interface DeviceChoice {
  readonly provider: ExecutionProvider;
  /** Why this provider: what was asked and what was found. */
  readonly reason: string;
  /** A fallback warning, when CUDA was asked for and did not open. */
  readonly warning?: string;
}

/** Whether this machine looks like it has an NVIDIA GPU and driver. */
export function gpuPresent(): boolean {
  return existsSync('/proc/driver/nvidia/version') || existsSync('/dev/nvidia0');
}

/** Opens a one-node graph on CUDA; resolves to the provider it ran on and, on CPU, why. */
export async function probeCuda(): Promise<{ provider: ExecutionProvider; reason: string }> {
  let warning = 'no CUDA session opened';
  const g = new GraphBuilder('cuda_probe');
  const x = g.input('x', 'float32', [1]);
  g.output(g.op('Identity', [x], {}, 'y'), 'float32', [1]);
  const { provider } = await openSession(g.model(), { executionProviders: ['cuda'], onWarning: (m) => (warning = m) });
  return { provider, reason: provider === 'cuda' ? 'CUDA session opened' : warning };
}

/** Decides the provider for `request`; throws GpuRequiredError when `requireGpu` and CUDA does not work. */
export async function chooseDevice(
  request: DeviceRequest,
  requireGpu: boolean,
  probe: () => Promise<{ provider: ExecutionProvider; reason: string }> = probeCuda,
  detect: () => boolean = gpuPresent,
): Promise<DeviceChoice> {
  const wantsCuda = request === 'cuda' || requireGpu || (request === 'auto' && detect());
  if (!wantsCuda) return { provider: 'cpu', reason: request === 'cpu' ? 'cpu requested' : 'no GPU detected' };
  const found = await probe();
  if (found.provider === 'cuda') return { provider: 'cuda', reason: request === 'auto' ? 'GPU detected, CUDA works' : 'cuda requested, CUDA works' };
  if (requireGpu) throw new GpuRequiredError(found.reason);
  return { provider: 'cpu', reason: `${request === 'auto' ? 'GPU detected' : 'cuda requested'} but CUDA is unavailable`, warning: `falling back to CPU: ${found.reason}` };
}
