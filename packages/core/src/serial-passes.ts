/**
 * A background pass run one at a time: asked while one runs, it runs once
 * more after it (the running pass may have read before what asked), however
 * many times it was asked meanwhile. A pass that fails ends the repeats:
 * `onError` hears it, and the next request starts afresh.
 */
export class SerialPasses {
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly pass: () => Promise<void>,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Runs a pass now, or once more after the running one; resolves when a pass begun after this call has ended. Never rejects. */
  request(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Resolves once no pass is running. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.pass();
      } catch (error) {
        this.onError(error);
        return;
      }
    } while (this.again);
  }
}
