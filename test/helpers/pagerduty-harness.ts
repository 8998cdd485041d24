/**
 * A harness whose tools are answered by the loopback fake PagerDuty (fake-pagerduty.ts) for one
 * seeded account, with every toolset listed: where a PagerDuty provider tool test starts.
 */
import {
  type FakePagerDuty,
  type FakePagerDutyOptions,
  type PagerDutySeed,
  startFakePagerDuty,
} from './fake-pagerduty.js';
import { type Harness, openHarness } from './harness.js';
import { tempDir } from './vigil.js';

export interface PagerDutyHarness {
  fake: FakePagerDuty;
  h: Harness;
  close(): Promise<void>;
}

export async function openPagerDutyHarness(
  seed: PagerDutySeed,
  options: FakePagerDutyOptions = {},
): Promise<PagerDutyHarness> {
  const fake = await startFakePagerDuty(options);
  fake.addAccount('good', seed);
  const h = await openHarness({
    store: { dataDir: tempDir() },
    env: { PAGERDUTY_API_TOKEN: 'good', PAGERDUTY_API_HOST: fake.url, VIGIL_TOOLSETS: 'all' },
  });
  return {
    fake,
    h,
    async close() {
      await h.close();
      await fake.close();
    },
  };
}
