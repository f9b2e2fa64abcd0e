/** Bounds on what a node may declare about itself: capability blobs stay small. */
import type { CapabilitiesStatement } from '@learnchain/membership';

export const CAPABILITY_LIMITS = {
  labels: 32,
  keyLength: 64,
  valueLength: 256,
  deviceLength: 64,
  endpointLength: 256,
} as const;

export interface FieldProblem {
  readonly field: string;
  readonly reason: string;
}

/** The first problem with a declaration, or undefined when it is acceptable. */
export function checkCapabilities(capabilities: CapabilitiesStatement, endpoint: string): FieldProblem | undefined {
  if (capabilities.device.length > CAPABILITY_LIMITS.deviceLength) {
    return { field: 'capabilities.device', reason: `longer than ${CAPABILITY_LIMITS.deviceLength} characters` };
  }
  const labels = Object.entries(capabilities.labels);
  if (labels.length > CAPABILITY_LIMITS.labels) return { field: 'capabilities.labels', reason: `more than ${CAPABILITY_LIMITS.labels} labels` };
  for (const [key, value] of labels) {
    if (key.length === 0 || key.length > CAPABILITY_LIMITS.keyLength) {
      return { field: `capabilities.labels[${JSON.stringify(key.slice(0, 16))}]`, reason: `label keys take 1 to ${CAPABILITY_LIMITS.keyLength} characters` };
    }
    if (value.length > CAPABILITY_LIMITS.valueLength) {
      return { field: `capabilities.labels[${JSON.stringify(key)}]`, reason: `longer than ${CAPABILITY_LIMITS.valueLength} characters` };
    }
  }
  if (endpoint.length > CAPABILITY_LIMITS.endpointLength) return { field: 'endpoint', reason: `longer than ${CAPABILITY_LIMITS.endpointLength} characters` };
  if (endpoint !== '' && !/^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/.test(endpoint)) return { field: 'endpoint', reason: 'expected host:port' };
  return undefined;
}
