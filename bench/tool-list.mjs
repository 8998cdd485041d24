// What `tools/list` costs a client, per profile and mode, beside the list every client got before
// profiles (every tool the mode allows). Counts are deterministic (characters / 4), not timings.
// Model-visible: name, description and input schema (what a model reads); whole: the entry as
// sent, output schema and annotations included. Run after `npm run build`: node bench/tool-list.mjs
import { configure, makeProviders } from '../dist/cli/providers.js';
import { parseConfig } from '../dist/core/config.js';
import { silentLogger } from '../dist/core/log.js';
import { PORT_NAMES } from '../dist/core/ports.js';
import { Exposure } from '../dist/server/exposure.js';
import { loadListings } from '../dist/server/listings.js';
import { seedProfiles } from '../dist/server/profiles.js';
import { compileTools, verdict } from '../dist/server/registry.js';
import { ALL_TOOLS } from '../dist/tools/registry.js';

const compiled = compileTools(ALL_TOOLS, loadListings());
const ports = new Set(PORT_NAMES);

/** What a server configured by `env` lists when `default` stands for `defaults` (the seeds' profiles from their providers). */
function listed(env, defaults) {
  const config = configure(parseConfig(env));
  const seeds = seedProfiles(makeProviders(config, silentLogger()));
  const exposure = new Exposure({ config, tools: compiled, ports, defaults, seeds });
  const input = exposure.input({ kind: 'local', label: 'bench', mode: config.mode });
  return [...compiled.values()].filter((t) => verdict(t, input) === 'exposed');
}

function size(tools) {
  let model = 0;
  let whole = 0;
  for (const { listing } of tools) {
    model += JSON.stringify({
      name: listing.name,
      description: listing.description,
      inputSchema: listing.inputSchema,
    }).length;
    whole += JSON.stringify(listing).length;
  }
  return { tools: tools.length, model: Math.ceil(model / 4), whole: Math.ceil(whole / 4) };
}

const rows = [
  ['before profiles (every tool), read_only', size(listed({ VIGIL_TOOLSETS: 'all' }, []))],
  [
    'before profiles (every tool), read_write',
    size(listed({ VIGIL_TOOLSETS: 'all', VIGIL_MODE: 'read_write' }, [])),
  ],
  ['embedded default (`core`), read_only', size(listed({}, ['core']))],
  ['embedded default (`core`), read_write', size(listed({ VIGIL_MODE: 'read_write' }, ['core']))],
  ['PagerDuty alone (`pagerduty`), drop-in', size(listed({ PAGERDUTY_API_TOKEN: 'x' }, ['pagerduty']))],
  ['Pingera alone (`pingera`), read_only', size(listed({}, ['pingera']))],
  ['Pingera alone (`pingera`), read_write', size(listed({ VIGIL_MODE: 'read_write' }, ['pingera']))],
];
console.log('| List | Tools | Model-visible tokens | Whole-list tokens |');
console.log('|---|---:|---:|---:|');
for (const [name, s] of rows) console.log(`| ${name} | ${s.tools} | ${s.model} | ${s.whole} |`);
