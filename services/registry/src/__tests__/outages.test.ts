import { Outages } from '../domain/outages';

const TTL = 1000;

describe('Outages', () => {
  it('forgive nothing before the database was ever away', () => {
    expect(new Outages(TTL).forgivenFrom(5_000)).toBeUndefined();
  });

  it('forgive leases that lapsed since an outage began, while it lasts and for a lease after it ended', () => {
    const outages = new Outages(TTL);
    outages.away(10_000);
    outages.away(10_500); // the same outage
    expect(outages.forgivenFrom(12_000)).toBe(10_000);
    outages.back(13_000);
    outages.back(13_200); // already back
    expect(outages.forgivenFrom(13_999)).toBe(10_000);
    expect(outages.forgivenFrom(14_000)).toBeUndefined();
  });

  it('forgive from the start of the latest outage only', () => {
    const outages = new Outages(TTL);
    outages.away(10_000);
    outages.back(10_100);
    outages.away(10_600);
    expect(outages.forgivenFrom(10_700)).toBe(10_600);
    outages.back(10_800);
    expect(outages.forgivenFrom(11_799)).toBe(10_600);
    expect(outages.forgivenFrom(11_800)).toBeUndefined();
  });
});
