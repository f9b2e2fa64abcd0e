import { runBusAgeContract } from '../../../../test/contracts/bus-age.contract';
import { runBusContract, type BusFixture } from '../../../../test/contracts/bus.contract';
import type { EventBus } from '../bus';
import { LocalEventBus } from '../local/bus';
import { LocalBroker } from '../local/store';

async function localFixture(): Promise<BusFixture> {
  const broker = new LocalBroker();
  const opened: EventBus[] = [];
  return {
    async open(target, options) {
      const bus = await LocalEventBus.create({
        broker,
        stream: target.stream,
        subjectsPrefix: target.prefix,
        ...(options?.ackWaitMs === undefined ? {} : { ackWaitMs: options.ackWaitMs }),
        ...(options?.maxAgeMs === undefined ? {} : { maxAgeMs: options.maxAgeMs }),
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
}

runBusContract('LocalEventBus', localFixture);
runBusAgeContract('LocalEventBus', localFixture);
