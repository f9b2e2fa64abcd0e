/**
 * The active trainers at one membership epoch, as a registry's List gave them
 * and the changes its Watch streamed after it. The registry numbers its
 * changes one after another, so a change whose epoch is not the next one
 * means some were missed: the view is then listed again, never guessed.
 */
import type { Participant } from './participants';

export interface TrainerView {
  readonly epoch: number;
  readonly trainers: ReadonlyMap<string, Participant>;
}

/** One change of a member, as far as the view cares: whether it is now an active trainer. */
export interface MemberChange {
  readonly epoch: number;
  readonly nodeId: string;
  readonly publicKey: Uint8Array;
  readonly activeTrainer: boolean;
}

export function viewFrom(epoch: number, trainers: readonly Participant[]): TrainerView {
  return { epoch, trainers: new Map(trainers.map((t) => [t.nodeId, t])) };
}

/** The view after `change`: itself for a change it already holds, 'gap' when changes before this one were missed. */
export function applyChange(view: TrainerView, change: MemberChange): TrainerView | 'gap' {
  if (change.epoch <= view.epoch) return view;
  if (change.epoch !== view.epoch + 1) return 'gap';
  const trainers = new Map(view.trainers);
  if (change.activeTrainer) trainers.set(change.nodeId, { nodeId: change.nodeId, publicKey: change.publicKey });
  else trainers.delete(change.nodeId);
  return { epoch: change.epoch, trainers };
}

/** The view's trainers in node id order (as List gives them). */
export function trainersOf(view: TrainerView): Participant[] {
  return [...view.trainers.values()].sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0));
}
