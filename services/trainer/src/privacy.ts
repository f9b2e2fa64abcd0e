/**
 * Client-side differential privacy, when the job asks for it: the delta is
 * clipped to an L2 norm C, then Gaussian noise of σ = z·C is added to every
 * coordinate (the Gaussian mechanism). The privacy spent over the rounds a
 * trainer took part in is reported by a Rényi-DP accountant.
 */
import { randomFillSync } from 'node:crypto';

/** The job's PrivacyOptions: 0 disables each part. */
export interface PrivacyOptions {
  readonly clipNorm: number;
  readonly noiseMultiplier: number;
}

/** The δ at which ε is reported. */
export const PRIVACY_DELTA = 1e-5;

/** Whether the job asks for anything at all. */
export function isPrivate(options: PrivacyOptions | undefined): options is PrivacyOptions {
  return options !== undefined && options.clipNorm > 0;
}

/** L2 norm, accumulated in float64. */
export function l2Norm(values: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += (values[i] ?? 0) ** 2;
  return Math.sqrt(sum);
}

/** Scales `delta` in place so its L2 norm is at most `clipNorm`; returns the norm before. */
export function clipInPlace(delta: Float32Array, clipNorm: number): number {
  const norm = l2Norm(delta);
  if (norm > clipNorm && norm > 0) {
    const scale = clipNorm / norm;
    for (let i = 0; i < delta.length; i++) delta[i] = (delta[i] ?? 0) * scale;
  }
  return norm;
}

/** Standard normal samples from the operating system's CSPRNG (Box–Muller), as DP noise must be. */
export function secureNormal(): () => number {
  const words = new Uint32Array(1024);
  let at = words.length;
  let spare: number | undefined;
  const uniform = (): number => {
    if (at >= words.length) {
      randomFillSync(words);
      at = 0;
    }
    return ((words[at++] ?? 0) + 0.5) / 4294967296;
  };
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    const r = Math.sqrt(-2 * Math.log(uniform()));
    const t = 2 * Math.PI * uniform();
    spare = r * Math.sin(t);
    return r * Math.cos(t);
  };
}

/** Clips and noises a delta in place, per the job's options. */
export function privatize(delta: Float32Array, options: PrivacyOptions, normal: () => number): void {
  clipInPlace(delta, options.clipNorm);
  const sigma = options.noiseMultiplier * options.clipNorm;
  if (sigma > 0) for (let i = 0; i < delta.length; i++) delta[i] = (delta[i] ?? 0) + sigma * normal();
}

/**
 * ε after `rounds` releases of the Gaussian mechanism with noise multiplier z
 * (no subsampling amplification): Rényi DP of order α is α·T/(2z²), and the
 * conversion ε = ε_α + ln(1/δ)/(α−1) is smallest at α = 1 + √(ln(1/δ)/a),
 * giving ε = a + 2√(a·ln(1/δ)) with a = T/(2z²). 0 when there is no noise
 * (nothing to account) or no round; the mechanism without noise is not private.
 */
export function epsilonSpent(rounds: number, noiseMultiplier: number, delta = PRIVACY_DELTA): number {
  if (rounds <= 0 || noiseMultiplier <= 0) return 0;
  const a = rounds / (2 * noiseMultiplier * noiseMultiplier);
  return a + 2 * Math.sqrt(a * Math.log(1 / delta));
}
