// The scenario-by-leg table and the per-leg totals of a conformance/run, read from the
// `checks.json` files the harness wrote (`-o`), and the runner's own checks.
//
//   node report.mjs <results-dir> <tools-dir>
//
// <results-dir>/legs.tsv has one line per leg the runner ran:
//   role  leg  runtime  checks-dir  baseline-file  harness-exit-code  mode  server-log
// (runtime and server-log are `-` for client legs; mode is `suite`, or `scenario` for a
// --scenario run). <results-dir>/scenarios-{server,client}.txt are `conformance list`
// outputs, for the row order.
//
// The harness's exit code stays the verdict on a leg. On top of it a leg fails here:
// - on a baseline entry that names no scenario of the leg, or a check its scenario never
//   emitted (the harness ignores those in silence, so a typo would go unnoticed);
// - on a scenario that passes with nothing scored (every check INFO or SKIPPED, bar the
//   wire-schema check: the harness counts that as a pass, e.g. a client `initialize` that
//   never connects), unless the baseline lists it under `unscored:` (a key the harness
//   ignores); an `unscored:` entry whose scenario now scores is stale, like the harness's;
// - on a panic in the everything-server's log or in an everything-client's stderr (the
//   harness does not look at the client's exit code in suite runs or with a baseline).
// Exits 1 if any leg failed.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, relative, dirname } from 'node:path';
import { createRequire } from 'node:module';

const [resultsDir, toolsDir] = process.argv.slice(2);
const YAML = createRequire(join(toolsDir, 'node_modules', '_'))('yaml');

const TIMESTAMP = /-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$/;
const PANIC = /panicked at/;
const SCORED = new Set(['SUCCESS', 'FAILURE', 'WARNING']);
const bad = (status) => status === 'FAILURE' || status === 'WARNING';

function scenarioOrder(role) {
  const file = join(resultsDir, `scenarios-${role}.txt`);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => /^\s+- (\S+)/.exec(line)?.[1])
    .filter(Boolean);
}

function findChecks(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .filter((entry) => entry === 'checks.json' || entry.endsWith('/checks.json'))
    .map((entry) => join(dir, entry));
}

function readBaseline(leg) {
  const parsed = YAML.parse(readFileSync(leg.baseline, 'utf8')) ?? {};
  for (const key of Object.keys(parsed)) {
    if (key !== leg.role && key !== 'unscored') leg.problems.push(`${leg.baseline}: unknown key '${key}' (its entries would be ignored)`);
  }
  const entries = (parsed[leg.role] ?? []).map((raw) => {
    const text = String(raw);
    const colon = text.indexOf(':');
    return colon === -1 ? { scenario: text } : { scenario: text.slice(0, colon), check: text.slice(colon + 1) };
  });
  return { entries, unscored: new Set((parsed.unscored ?? []).map(String)) };
}

// One scenario against the baseline, judged as the harness judges it (the worst status per
// check id, INFO aside; a whole-scenario entry covers every check).
function judge(scenario, checks, entries) {
  const whole = entries.some((e) => e.scenario === scenario && !e.check);
  const listed = new Set(entries.filter((e) => e.scenario === scenario && e.check).map((e) => e.check));
  const rank = (s) => (s === 'FAILURE' ? 3 : s === 'WARNING' ? 2 : s === 'SUCCESS' ? 1 : 0);
  const worst = new Map();
  for (const c of checks) {
    if (c.status === 'INFO') continue;
    if (!worst.has(c.id) || rank(c.status) >= rank(worst.get(c.id))) worst.set(c.id, c.status);
  }
  const failing = [...worst].filter(([, s]) => bad(s)).map(([id]) => id);
  const out = { unexpected: [], stale: [] };
  if (whole) {
    if (!failing.length) out.stale.push(scenario);
  } else if (!listed.size) {
    if (failing.length) out.unexpected.push(scenario);
  } else {
    for (const id of failing) if (!listed.has(id)) out.unexpected.push(`${scenario}:${id}`);
    for (const id of listed) if (worst.get(id) === 'SUCCESS') out.stale.push(`${scenario}:${id}`);
  }
  return out;
}

const legs = readFileSync(join(resultsDir, 'legs.tsv'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => {
    const [role, leg, runtime, checksDir, baseline, rc, mode, serverLog] = line.split('\t');
    const name = runtime === '-' ? `${role} ${leg}` : `${role} ${leg} ${runtime}`;
    return { role, leg, runtime, name, checksDir, baseline, rc: Number(rc), mode, serverLog, rows: new Map(), problems: [] };
  });

for (const leg of legs) {
  const { entries, unscored } = readBaseline(leg);
  const t = (leg.tally = { run: 0, passed: 0, unscored: 0, expected: 0, checksRun: 0, checksPassed: 0, unexpected: [], stale: [], empty: [] });
  for (const file of findChecks(leg.checksDir)) {
    let name = relative(leg.checksDir, dirname(file)).replace(TIMESTAMP, '');
    if (leg.role === 'server') name = name.replace(/^server-/, '');
    const checks = JSON.parse(readFileSync(file, 'utf8'));
    const stderr = join(dirname(file), 'stderr.txt');
    if (existsSync(stderr) && PANIC.test(readFileSync(stderr, 'utf8'))) leg.problems.push(`everything-client panicked in ${name}: ${stderr}`);
    const count = (s) => checks.filter((c) => c.status === s).length;
    const row = {
      passed: count('SUCCESS'),
      run: count('SUCCESS') + count('FAILURE') + count('WARNING'),
      failing: checks.some((c) => bad(c.status)),
      scored: checks.some((c) => c.id !== 'wire-schema-valid' && SCORED.has(c.status)),
      ids: new Set(checks.map((c) => c.id)),
      ...judge(name, checks, entries),
    };
    row.empty = !row.failing && !row.scored && !unscored.has(name);
    if (unscored.has(name) && row.scored) row.stale.push(`unscored: ${name}`);
    leg.rows.set(name, row);
    t.run++;
    t.checksRun += row.run;
    t.checksPassed += row.passed;
    if (!row.failing && !row.empty) t.passed++;
    if (!row.failing && !row.scored && !row.empty) t.unscored++;
    if (row.failing && !row.unexpected.length) t.expected++;
    if (row.empty) t.empty.push(name);
    t.unexpected.push(...row.unexpected);
    t.stale.push(...row.stale);
  }
  // What the harness ignores in silence (full-suite legs only: a --scenario run sees one).
  if (leg.mode === 'suite') {
    for (const e of entries) {
      const row = leg.rows.get(e.scenario);
      const text = e.check ? `${e.scenario}:${e.check}` : e.scenario;
      if (!row) leg.problems.push(`baseline entry '${text}' names no scenario this leg ran`);
      else if (e.check && !row.ids.has(e.check)) leg.problems.push(`baseline entry '${text}' names a check the scenario did not emit`);
    }
    for (const s of unscored) if (!leg.rows.has(s)) leg.problems.push(`unscored entry '${s}' names no scenario this leg ran`);
  }
  if (leg.serverLog !== '-' && existsSync(leg.serverLog)) {
    const log = readFileSync(leg.serverLog, 'utf8');
    if (PANIC.test(log)) leg.problems.push(`everything-server panicked: ${leg.serverLog}`);
    if (log.includes('everything-server exited during the leg')) leg.problems.push(`everything-server exited during the leg: ${leg.serverLog}`);
  }
  if (leg.rc !== 0) leg.problems.unshift(`the harness exited with ${leg.rc} (its verdict is at the end of ${join(dirname(leg.checksDir), 'harness.log')})`);
  if (t.unexpected.length) leg.problems.push(`failures not in ${leg.baseline}: ${t.unexpected.join(', ')}`);
  if (t.stale.length) leg.problems.push(`stale entries in ${leg.baseline} (they pass or score now; remove them): ${t.stale.join(', ')}`);
  if (t.empty.length) leg.problems.push(`passed with nothing scored and not listed under unscored: in ${leg.baseline}: ${t.empty.join(', ')}`);
  leg.skipped = leg.mode === 'scenario' && leg.rows.size === 0 && leg.rc === 0;
}

const lines = [];

// One column per leg; a server cell shows one result when every runtime got the same one,
// else one per runtime.
const cell = (r) => {
  const mark = r.unexpected.length ? ' FAIL' : r.stale.length ? ' STALE' : r.empty ? ' EMPTY' : r.failing ? ' x' : !r.scored ? ' ~' : '';
  return `${r.passed}/${r.run}${mark}`;
};
for (const role of ['server', 'client']) {
  const roleLegs = legs.filter((l) => l.role === role);
  if (!roleLegs.length) continue;
  const columns = [...new Set(roleLegs.map((l) => l.leg))].map((leg) => roleLegs.filter((l) => l.leg === leg));
  const seen = new Set(roleLegs.flatMap((l) => [...l.rows.keys()]));
  const order = scenarioOrder(role).filter((s) => seen.has(s));
  for (const s of seen) if (!order.includes(s)) order.push(s);
  const table = order.map((name) => [
    name,
    ...columns.map((column) => {
      const texts = column.map((l) => (l.rows.has(name) ? cell(l.rows.get(name)) : '-'));
      if (texts.every((t) => t === '-')) return '';
      return new Set(texts).size === 1 ? texts[0] : column.map((l, i) => `${l.runtime} ${texts[i]}`).join(', ');
    }),
  ]);
  const runtimes = [...new Set(roleLegs.map((l) => l.runtime))].filter((r) => r !== '-');
  const heads = ['scenario', ...columns.map((c) => c[0].leg)];
  const widths = heads.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)) + 2);
  const row = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('').trimEnd();
  lines.push('', `${role} scenarios: checks passed/run per leg${runtimes.length ? ` (${runtimes.join(' and ')})` : ''}`, '');
  lines.push(row(heads));
  for (const r of table) lines.push(row(r));
}
if (legs.some((l) => l.rows.size)) {
  lines.push('', '  x  expected failure (in the baseline)      ~  passed with nothing scored, as its baseline allows (unscored:)');
  lines.push('  FAIL  failure not in the baseline   STALE  in the baseline but passing or scoring   EMPTY  nothing scored');
}

lines.push('', '| role | leg | runtime | scenarios passed/run | checks passed/run | expected failures | result |');
lines.push('| --- | --- | --- | --- | --- | --- | --- |');
for (const l of legs) {
  const t = l.tally;
  const unscored = t.unscored ? ` (${t.unscored} unscored)` : '';
  const result = l.problems.length ? 'FAIL' : l.skipped ? 'skipped (not in this leg)' : 'ok';
  lines.push(`| ${l.role} | ${l.leg} | ${l.runtime === '-' ? '' : l.runtime} | ${t.passed}/${t.run}${unscored} | ${t.checksPassed}/${t.checksRun} | ${t.expected} | ${result} |`);
}

const failed = legs.filter((l) => l.problems.length);
for (const l of failed) {
  lines.push('', `${l.name}: FAIL`);
  for (const p of l.problems) lines.push(`  - ${p}`);
}
console.log(lines.join('\n'));
process.exit(failed.length ? 1 : 0);
