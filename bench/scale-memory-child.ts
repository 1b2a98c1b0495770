import { runMemoryOp, type MemoryInput } from './scale-memory';

/**
 * One operation of the memory figures in a process of its own (bench/scale-memory.ts spawns it): its peak RSS is
 * this process's alone, no earlier run's heap hides it. Reads the input as JSON from argv, prints one JSON line:
 * the kernel's peak RSS (`maxRSS`), the peak of an RSS sampled every 50 ms, the wall time and the op's own figures.
 */
const input = JSON.parse(process.argv[2] ?? '{}') as MemoryInput;
let sampledPeak = process.memoryUsage().rss;
const timer = setInterval(() => {
  sampledPeak = Math.max(sampledPeak, process.memoryUsage().rss);
}, 50);
const t0 = performance.now();
const result = await runMemoryOp(input);
const ms = performance.now() - t0;
clearInterval(timer);
sampledPeak = Math.max(sampledPeak, process.memoryUsage().rss);
const MB = 1024 * 1024;
process.stdout.write(
  `${JSON.stringify({ maxRssMB: (process.resourceUsage().maxRSS * 1024) / MB, sampledPeakRssMB: sampledPeak / MB, ms: Math.round(ms), result })}\n`,
);
process.exit(0);
