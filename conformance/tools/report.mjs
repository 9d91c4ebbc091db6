// The per-scenario table and the per-leg totals of a conformance/run, read from the
// `checks.json` files the harness wrote (`-o`), and the runner's own baseline checks.
//
//   node report.mjs <results-dir> <tools-dir>
//
// <results-dir>/legs.tsv has one line per leg the runner ran:
//   role  leg  runtime  checks-dir  baseline-file  harness-exit-code  mode  server-log
// (runtime and server-log are `-` for client legs; mode is `suite`, or `scenario` for a
// --scenario run).
// <results-dir>/scenarios-{server,client}.txt are `conformance list` outputs (row order).
//
// The harness's exit code stays the verdict on a leg; this script adds what the harness
// does not check: a baseline entry that names no scenario of its leg, or a check its
// scenario never emitted, is silently ignored by the harness, so a typo or a misplaced
// entry would hide nothing and shrink nothing. Those fail the run here, and so does a
// panic in the everything-server's log or in an everything-client's stderr (the harness
// ignores the client's exit code in suite runs). Exits 1 if any leg failed.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, relative, dirname } from 'node:path';
import { createRequire } from 'node:module';

const [resultsDir, toolsDir] = process.argv.slice(2);
const YAML = createRequire(join(toolsDir, 'node_modules', '_'))('yaml');

const TIMESTAMP = /-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$/;
const PANIC = /panicked at/;
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
  const found = [];
  if (!existsSync(dir)) return found;
  for (const entry of readdirSync(dir, { recursive: true })) {
    if (entry === 'checks.json' || entry.endsWith('/checks.json')) found.push(join(dir, entry));
  }
  return found;
}

function readBaseline(file, role, problems) {
  const entries = [];
  const parsed = YAML.parse(readFileSync(file, 'utf8')) ?? {};
  for (const key of Object.keys(parsed)) {
    if (key !== role) problems.push(`${file}: key '${key}' is not '${role}'; its entries would be ignored`);
  }
  for (const raw of parsed[role] ?? []) {
    const text = String(raw);
    const colon = text.indexOf(':');
    entries.push(colon === -1 ? { scenario: text } : { scenario: text.slice(0, colon), check: text.slice(colon + 1) });
  }
  return entries;
}

// One scenario's outcome against the baseline, as the harness judges it (worst status per
// check id, INFO ignored; a whole-scenario entry covers every check).
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
  const out = { unexpected: [], stale: [], expected: [] };
  if (whole) {
    (failing.length ? out.expected : out.stale).push(scenario);
  } else if (!listed.size) {
    if (failing.length) out.unexpected.push(scenario);
  } else {
    for (const id of failing) (listed.has(id) ? out.expected : out.unexpected).push(`${scenario}:${id}`);
    for (const id of listed) if (worst.get(id) === 'SUCCESS') out.stale.push(`${scenario}:${id}`);
  }
  return out;
}

const legs = readFileSync(join(resultsDir, 'legs.tsv'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => {
    const [role, leg, runtime, checksDir, baseline, rc, mode, serverLog] = line.split('\t');
    return { role, leg, runtime, checksDir, baseline, rc: Number(rc), mode, serverLog, rows: new Map(), problems: [] };
  });

for (const leg of legs) {
  const entries = readBaseline(leg.baseline, leg.role, leg.problems);
  leg.tally = { run: 0, passed: 0, vacuous: 0, expected: 0, checksRun: 0, checksPassed: 0, unexpected: [], stale: [] };
  for (const file of findChecks(leg.checksDir)) {
    let name = relative(leg.checksDir, dirname(file)).replace(TIMESTAMP, '');
    if (leg.role === 'server') name = name.replace(/^server-/, '');
    const checks = JSON.parse(readFileSync(file, 'utf8'));
    const stderr = join(dirname(file), 'stderr.txt');
    if (existsSync(stderr) && PANIC.test(readFileSync(stderr, 'utf8'))) {
      leg.problems.push(`everything-client panicked in ${name}: ${stderr}`);
    }
    const count = (s) => checks.filter((c) => c.status === s).length;
    const row = {
      passed: count('SUCCESS'),
      run: count('SUCCESS') + count('FAILURE') + count('WARNING'),
      failing: checks.some((c) => bad(c.status)),
      // Nothing scored but the wire-schema check: every check was INFO or SKIPPED.
      vacuous: !checks.some((c) => c.id !== 'wire-schema-valid' && ['SUCCESS', 'FAILURE', 'WARNING'].includes(c.status)),
      ids: new Set(checks.map((c) => c.id)),
      ...judge(name, checks, entries),
    };
    leg.rows.set(name, row);
    const t = leg.tally;
    t.run++;
    t.checksRun += row.run;
    t.checksPassed += row.passed;
    if (!row.failing) t.passed++;
    if (!row.failing && row.vacuous) t.vacuous++;
    if (row.failing && !row.unexpected.length) t.expected++;
    t.unexpected.push(...row.unexpected);
    t.stale.push(...row.stale);
  }
  // What the harness ignores in silence (full-suite legs only: a --scenario run sees one).
  if (leg.mode === 'suite') {
    for (const e of entries) {
      const row = leg.rows.get(e.scenario);
      if (!row) {
        leg.problems.push(`baseline entry '${e.scenario}${e.check ? ':' + e.check : ''}' names no scenario this leg ran`);
      } else if (e.check && !row.ids.has(e.check)) {
        leg.problems.push(`baseline entry '${e.scenario}:${e.check}' names a check the scenario did not emit`);
      }
    }
  }
  if (leg.serverLog !== '-' && existsSync(leg.serverLog)) {
    const log = readFileSync(leg.serverLog, 'utf8');
    if (PANIC.test(log)) leg.problems.push(`everything-server panicked: ${leg.serverLog}`);
    if (log.includes('everything-server exited during the leg')) leg.problems.push(`everything-server exited during the leg: ${leg.serverLog}`);
  }
  if (leg.rc !== 0) leg.problems.unshift(`the harness exited with ${leg.rc}`);
  if (leg.mode === 'scenario' && leg.rows.size === 0 && leg.rc === 0) leg.skipped = true;
}

const lines = [];

// One column per leg; a server cell shows one result when every runtime got the same one,
// else one per runtime.
const cell = (r) => {
  const mark = r.unexpected.length ? ' FAIL' : r.stale.length ? ' STALE' : r.failing ? ' x' : r.vacuous ? ' ~' : '';
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
lines.push('', "  x = expected failure (in the baseline)   ~ = passed with nothing scored (every check INFO or SKIPPED)");
lines.push('  FAIL = failure not in the baseline   STALE = passing but in the baseline   empty = not in that leg');

lines.push('', '| role | leg | runtime | scenarios passed/run | checks passed/run | expected failures | result |');
lines.push('| --- | --- | --- | --- | --- | --- | --- |');
for (const l of legs) {
  const t = l.tally;
  const vac = t.vacuous ? ` (${t.vacuous} with nothing scored)` : '';
  const result = l.skipped ? 'skipped (not in this leg)' : l.problems.length ? 'FAIL' : 'ok';
  lines.push(`| ${l.role} | ${l.leg} | ${l.runtime === '-' ? '' : l.runtime} | ${t.passed}/${t.run}${vac} | ${t.checksPassed}/${t.checksRun} | ${t.expected} | ${result} |`);
}

let failed = false;
for (const l of legs) {
  if (!l.problems.length) continue;
  failed = true;
  const name = `${l.role} ${l.leg}${l.runtime === '-' ? '' : ' ' + l.runtime}`;
  lines.push('', `${name}: FAIL`);
  for (const p of l.problems) lines.push(`  - ${p}`);
  if (l.tally.unexpected.length) lines.push(`  - failures not in ${l.baseline}: ${l.tally.unexpected.join(', ')}`);
  if (l.tally.stale.length) lines.push(`  - stale entries of ${l.baseline} (they pass now: remove them): ${l.tally.stale.join(', ')}`);
  lines.push(`  harness output: ${join(dirname(l.checksDir), 'harness.log')}`);
}
console.log(lines.join('\n'));
process.exit(failed ? 1 : 0);
