/** The invariants, checked as the run goes: each breach becomes a violation. */
import { checkCommit } from '../certificate';
import { advanceProposer, applyValidatorUpdates } from '../validators';
import type { CommitCertificate, ValidatorSet, ValidatorUpdate, ValueId, Vote } from '../types';

/** One broken invariant. */
export interface Violation {
  readonly invariant: 'agreement' | 'validity' | 'certificate' | 'double-sign' | 'liveness';
  readonly time: number;
  readonly detail: string;
}

/** What the checker needs from the simulated application. */
export interface Judge {
  isValid(value: ValueId): boolean;
  updatesOf(value: ValueId): readonly ValidatorUpdate[];
}

/** Watches honest validators' votes and commits. */
export class Checker {
  readonly violations: Violation[] = [];
  private readonly decided = new Map<number, ValueId>();
  private readonly signed = new Map<string, ValueId | null>();
  private readonly sets = new Map<number, ValidatorSet>();

  constructor(
    genesis: ValidatorSet,
    private readonly judge: Judge,
  ) {
    this.sets.set(1, genesis);
  }

  /** No honest validator signs two different votes of one type at one height and round. */
  onSigned(time: number, vote: Vote): void {
    const key = `${vote.validator}/${vote.height}/${vote.round}/${vote.type}`;
    const before = this.signed.get(key);
    if (before === undefined) this.signed.set(key, vote.value);
    else if (before !== vote.value) {
      this.fail('double-sign', time, `${vote.validator} signed ${vote.type} h${vote.height} r${vote.round} for ${before ?? 'nil'} and ${vote.value ?? 'nil'}`);
    }
  }

  /** Agreement, validity and a certificate that verifies against the set of its height. */
  onCommit(time: number, node: string, cert: CommitCertificate): void {
    const h = cert.height;
    const first = this.decided.get(h);
    if (first === undefined) this.decided.set(h, cert.value);
    else if (first !== cert.value) {
      this.fail('agreement', time, `${node} committed ${cert.value} at h${h}, another honest node committed ${first}`);
    }
    if (!this.judge.isValid(cert.value)) this.fail('validity', time, `${node} committed invalid ${cert.value} at h${h}`);
    const set = this.setAt(h);
    const fault = set ? checkCommit(cert, set) : 'unknown validator set';
    if (fault !== null) this.fail('certificate', time, `${node}'s certificate for h${h} does not verify: ${fault}`);
  }

  /** Records a liveness failure. */
  onStall(time: number, detail: string): void {
    this.fail('liveness', time, detail);
  }

  /** The committed value at `height`, if any honest node committed it. */
  decision(height: number): ValueId | undefined {
    return this.decided.get(height);
  }

  /** The validator set of `height` per the committed chain (blocks up to height-2). */
  setAt(height: number): ValidatorSet | undefined {
    const known = this.sets.get(height);
    if (known) return known;
    const prev = height > 1 ? this.setAt(height - 1) : undefined;
    if (!prev) return undefined;
    let set = advanceProposer(prev);
    if (height >= 3) {
      const block = this.decided.get(height - 2);
      if (block === undefined) return undefined;
      set = applyValidatorUpdates(set, this.judge.updatesOf(block));
    }
    this.sets.set(height, set);
    return set;
  }

  private fail(invariant: Violation['invariant'], time: number, detail: string): void {
    this.violations.push({ invariant, time, detail });
  }
}
