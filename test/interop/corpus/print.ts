// Printing a scored run: the table of numbers across apps, one app's details (every verdict, with
// what was expected when it went wrong) and, for `--spans`, the shapes of the spans it exported.
import type { Attributes } from '../../../src/core/model';
import { numbers, target, type AppResult, type Score, type Verdict } from './verdicts';

const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

export function table(results: AppResult[]): string {
  const head = [
    'app',
    'framework',
    'routes',
    'hit',
    'right',
    'wrong',
    'missed',
    'precision',
    'recall',
    'impure rows',
    'frames r/w/n',
    'event frames',
    'logs r/w/n',
    'time',
  ];
  const rwn = (s: Score) => `${s.right}/${s.wrong}/${s.total}`;
  const body = results.map((r) => {
    const { routes: n, frames, eventFrames, logs } = numbers(r);
    return [
      r.app.name,
      r.app.framework,
      String(n.requests),
      String(n.total),
      String(n.right),
      String(n.wrong),
      String(n.missed),
      pct(n.precision),
      pct(n.recall),
      String(r.impure.length),
      rwn(frames),
      rwn(eventFrames),
      rwn(logs),
      `${(r.ms / 1000).toFixed(1)}s`,
    ];
  });
  const all = [head, ...body];
  const widths = head.map((_, i) => Math.max(...all.map((row) => row[i]!.length)));
  return all
    .map((row) =>
      row.map((c, i) => (i >= 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  '),
    )
    .join('\n');
}

const mark = (v: Verdict) =>
  v === 'right' ? 'ok   ' : v === 'wrong' ? 'WRONG' : v === 'missed' ? 'miss ' : 'NOSPN';

export function details(r: AppResult): string {
  const out: string[] = [`── ${r.app.name} (${r.app.note ?? r.app.framework})`];
  for (const q of r.requests) {
    out.push(
      `  ${mark(q.verdict)} ${q.request.padEnd(34)} → ${q.verdict === 'right' ? q.got : `${q.got}; expected ${target(q.expect)}`}${q.via === 'internal' ? ' (via internal spans)' : ''}`,
    );
  }
  for (const i of r.impure)
    out.push(
      `  IMPURE ${i.row}: counts ${i.foreign.join(', ')} (its requests: ${i.expected.join(', ')})`,
    );
  for (const c of r.overcount)
    out.push(`  note: ${c.row} counts ${c.count} spans for ${c.requests} requests`);
  for (const x of r.otherRows)
    out.push(
      `  other row: ${x.row} ×${x.count} (${x.services.slice(0, 4).join(', ')}${x.services.length > 4 ? ', …' : ''})`,
    );
  for (const u of r.unmapped)
    out.push(
      `  unmapped ×${u.count} ${u.kind}${u.expected ? ' (expected)' : ''}: ${u.example ? `e.g. "${u.example.span}" of ${u.example.service}: ${u.example.explanation}` : u.reason}`,
    );
  for (const f of r.frames) {
    if (!f.found) {
      out.push(
        `  STACK  ${f.request} "${f.message}": no such ${f.origin === 'span event' ? "exception event on the request's spans" : "stack in the app's output"}`,
      );
      continue;
    }
    out.push(`  ${f.origin === 'span event' ? 'event' : 'stack'}  ${f.request} "${f.message}":`);
    for (const fr of f.frames)
      out.push(
        `    ${mark(fr.verdict)} ${fr.raw || '(missing frame)'} → ${fr.got}${fr.verdict === 'right' ? '' : `; expected ${fr.expect ? target(fr.expect) : '(no frame)'}`}`,
      );
    for (const h of f.helpers) out.push(`    helper ${h.raw} → ${h.got}`);
  }
  for (const l of r.logs)
    out.push(
      `  ${mark(l.verdict)} log "${l.contains}" → ${l.got}${l.verdict === 'right' ? '' : `; expected ${target(l.expect)}`}`,
    );
  for (const n of r.notes) out.push(`  note: ${n}`);
  for (const p of r.problems) out.push(`  PROBLEM ${p}`);
  return out.join('\n');
}

const KEY_ATTRS =
  /^(http\.route|http\.(request\.)?method|http\.target|url\.(path|query)|http\.(response\.)?status_code|express\.|router\.|koa\.|nestjs\.|hapi\.|fastify\.|hook\.|code\.|service\.name)/;

/** The distinct span shapes of a run: kind, name and the attributes that matter for mapping. */
export function spanShapes(r: AppResult): string {
  const kinds = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
  const seen = new Map<string, { n: number; attrs: Attributes; scope?: string }>();
  for (const s of r.spans) {
    const attrs = Object.fromEntries(
      Object.entries(s.attributes).filter(([k]) => KEY_ATTRS.test(k)),
    );
    // Status codes and concrete paths left out of the key: one shape per route, not per request.
    const key = `${kinds[s.kind] ?? s.kind} "${s.name}" ${JSON.stringify(Object.fromEntries(Object.entries(attrs).filter(([k]) => !/status_code|url\.path|http\.target/.test(k))))}`;
    const e = seen.get(key);
    if (e) e.n++;
    else seen.set(key, { n: 1, attrs });
  }
  const out = [`── spans of ${r.app.name}: ${r.spans.length} (${[...seen].length} shapes)`];
  for (const [k, v] of seen)
    out.push(`  ${String(v.n).padStart(3)}× ${k.split(' {')[0]} ${JSON.stringify(v.attrs)}`);
  if (r.logRecords.length) {
    out.push(`── OTLP log records of ${r.app.name}: ${r.logRecords.length}`);
    for (const l of r.logRecords.slice(0, 12))
      out.push(
        `  ${l.severityText || l.severityNumber} ${JSON.stringify(l.body).slice(0, 100)} ${JSON.stringify(Object.keys(l.attributes))}${l.traceId ? ' (in a trace)' : ''}`,
      );
  }
  return out.join('\n');
}
