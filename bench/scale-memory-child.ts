import { runMemoryOp, type MemoryInput } from './scale-memory';

/**
 * One operation of the memory figures in a process of its own (bench/scale-memory.ts spawns it): its peak RSS is
 * this process's alone, no earlier run's heap hides it. Reads the input as JSON from argv, prints one JSON line:
 * the kernel's peak RSS (`maxRSS`), the peak of an RSS sampled every 50 ms, the wall time and the op's own figures.
 */
const input = JSON.parse(process.argv[2] ?? '{}') as MemoryInput;
let sampledPeak = process.memoryUsage().rss;
/** Node's own share: the JS heap, and the buffers outside it (`external`, array buffers included). */
let heapPeak = 0;
let externalPeak = 0;
const sample = (): void => {
  const m = process.memoryUsage();
  sampledPeak = Math.max(sampledPeak, m.rss);
  heapPeak = Math.max(heapPeak, m.heapUsed);
  externalPeak = Math.max(externalPeak, m.external);
};
const timer = setInterval(sample, 50);
const t0 = performance.now();
const result = await runMemoryOp(input);
const ms = performance.now() - t0;
clearInterval(timer);
sample();
const MB = 1024 * 1024;
const figures = {
  maxRssMB: (process.resourceUsage().maxRSS * 1024) / MB,
  sampledPeakRssMB: sampledPeak / MB,
  heapPeakMB: Math.round(heapPeak / MB),
  externalPeakMB: Math.round(externalPeak / MB),
  ms: Math.round(ms),
  result,
};
process.stdout.write(`${JSON.stringify(figures)}\n`);
process.exit(0);
