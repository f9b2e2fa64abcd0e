import { runBusContract, type BusFixture } from '../../../../test/contracts/bus.contract';
import type { EventBus } from '../bus';
import { LocalEventBus } from '../local/bus';
import { LocalBroker } from '../local/store';

runBusContract('LocalEventBus', async (): Promise<BusFixture> => {
  const broker = new LocalBroker();
  const opened: EventBus[] = [];
  return {
    async open(target, options) {
      const bus = await LocalEventBus.create({
        broker,
        stream: target.stream,
        subjectsPrefix: target.prefix,
        ...(options?.ackWaitMs === undefined ? {} : { ackWaitMs: options.ackWaitMs }),
      });
      opened.push(bus);
      return bus;
    },
    async injectRaw(target, subject, data) {
      broker.append(target.stream, `${target.prefix}.${subject}`, data);
    },
    async close() {
      await Promise.all(opened.map((bus) => bus.close()));
      broker.close();
    },
  };
});
