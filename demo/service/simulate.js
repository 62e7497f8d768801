'use strict';
// Stand-ins for the slow things a real service waits on (databases, other services), with
// latencies drawn from a log-normal distribution: most calls near the median, a long right tail.

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A log-normal sample: `median` ms, spread `sigma` (0.3 tight, 0.8 wide). */
function logNormal(median, sigma) {
  // Box-Muller: two uniforms to one standard normal.
  const z = Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random());
  return median * Math.exp(sigma * z);
}

/** Waits like an I/O call would. */
function io(median, sigma = 0.5) {
  return sleep(logNormal(median, sigma));
}

/** Burns CPU for about `ms`, like real computation (no await, blocks the loop). */
function cpu(ms) {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x += Math.sqrt(x + 1);
  return x;
}

const chance = (p) => Math.random() < p;
const between = (lo, hi) => lo + Math.random() * (hi - lo);

module.exports = { sleep, logNormal, io, cpu, chance, between };
