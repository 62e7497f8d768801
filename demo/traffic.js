'use strict';
// Traffic for demo-shop: lists > gets > new orders, at about DEMO_RPS requests a second with jitter,
// until stopped. Target: DEMO_URL, else http://127.0.0.1:${DEMO_PORT:-8080}.
const target = (process.env.DEMO_URL || `http://127.0.0.1:${process.env.DEMO_PORT || 8080}`).replace(/\/+$/, '');
const rps = Math.max(0.1, Number(process.env.DEMO_RPS) || 20);
const SKUS = ['sku-apple', 'sku-bread', 'sku-coffee', 'sku-tea', 'sku-milk', 'sku-cheese'];

const pick = (list) => list[Math.floor(Math.random() * list.length)];
let knownIds = [];
let sent = 0;
let errors = 0;
let totalSent = 0;

function nextRequest() {
  const r = Math.random();
  if (r < 0.5 || knownIds.length === 0) return { method: 'GET', path: `/orders?limit=${pick([10, 20, 50])}` };
  if (r < 0.8) return { method: 'GET', path: `/orders/${pick(knownIds)}` };
  if (r < 0.85) return { method: 'GET', path: `/inventory/${pick(SKUS)}` };
  const items = Array.from({ length: 1 + Math.floor(Math.random() * 3) }, () => ({ sku: pick(SKUS), qty: 1 + Math.floor(Math.random() * 4) }));
  return { method: 'POST', path: '/orders', body: JSON.stringify({ customerId: `cust-${Math.floor(Math.random() * 50)}`, items }) };
}

async function fire() {
  const { method, path, body } = nextRequest();
  sent++;
  totalSent++;
  try {
    const res = await fetch(target + path, { method, body, headers: body ? { 'content-type': 'application/json' } : undefined, signal: AbortSignal.timeout(10000) });
    const data = await res.json().catch(() => undefined);
    if (!res.ok) errors++;
    else if (Array.isArray(data)) knownIds = data.map((o) => o.id);
    else if (method === 'POST' && data && data.id) knownIds.push(data.id);
  } catch {
    errors++; // service down or slow: counted, never fatal
  }
}

let timer;
function schedule() {
  // Uniform jitter of ±50 % around the mean gap keeps the rate but avoids a metronome.
  timer = setTimeout(() => {
    fire();
    schedule();
  }, (1000 / rps) * (0.5 + Math.random()));
}

console.log(`traffic: ${rps} req/s to ${target}`);
schedule();
const report = setInterval(() => {
  console.log(`traffic: ${sent} requests in the last 10 s, ${errors} errors (${totalSent} total)`);
  sent = 0;
  errors = 0;
}, 10000);

function stop() {
  clearTimeout(timer);
  clearInterval(report);
  process.exit(0);
}
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
