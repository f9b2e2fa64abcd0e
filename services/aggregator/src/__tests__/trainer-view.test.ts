import { applyChange, trainersOf, viewFrom, type MemberChange, type TrainerView } from '../domain/trainer-view';

const key = (n: number): Uint8Array => new Uint8Array(32).fill(n);
const change = (epoch: number, nodeId: string, activeTrainer: boolean): MemberChange => ({ epoch, nodeId, publicKey: key(epoch), activeTrainer });
const ids = (view: TrainerView | 'gap'): string[] => (view === 'gap' ? ['gap'] : trainersOf(view).map((t) => t.nodeId));

describe('the trainer view', () => {
  it('follows joins, departures and lapses in epoch order, and lists trainers in node id order', () => {
    let view: TrainerView | 'gap' = viewFrom(4, [{ nodeId: 'c', publicKey: key(1) }]);
    for (const c of [change(5, 'b', true), change(6, 'a', true), change(7, 'c', false)]) {
      view = applyChange(view as TrainerView, c);
    }
    expect(ids(view)).toEqual(['a', 'b']);
    expect((view as TrainerView).epoch).toBe(7);
    expect((view as TrainerView).trainers.get('a')?.publicKey).toEqual(key(6));
  });

  it('drops a member that is no longer an active trainer, and takes one back when it is again', () => {
    const view = viewFrom(1, [{ nodeId: 'a', publicKey: key(1) }]);
    const gone = applyChange(view, change(2, 'a', false));
    expect(ids(gone)).toEqual([]);
    expect(ids(applyChange(gone as TrainerView, change(3, 'a', true)))).toEqual(['a']);
  });

  it('keeps a change it already holds once, and calls a skipped epoch a gap', () => {
    const view = viewFrom(10, [{ nodeId: 'a', publicKey: key(1) }]);
    expect(applyChange(view, change(10, 'b', true))).toBe(view);
    expect(applyChange(view, change(9, 'a', false))).toBe(view);
    expect(applyChange(view, change(12, 'b', true))).toBe('gap');
    // The view given is not changed by a change applied to it.
    applyChange(view, change(11, 'a', false));
    expect(ids(view)).toEqual(['a']);
  });
});
