import { openScaleWorkspace } from './bench/scale-kit';
const { wb } = await openScaleWorkspace('year');
const conn = await wb.engine.connect();
const r = await conn.runAndReadAll('SELECT CAST(epoch_ms(max(last_ts)) AS DOUBLE) FROM gold.site_daily');
const toMs = Math.ceil(((r.getRows()[0][0] as number) + 1) / 300_000) * 300_000;
conn.closeSync();
const DAY = 86_400_000;
const year = { from: new Date(toMs - 365 * DAY).toISOString(), to: new Date(toMs).toISOString(), width: 1200 };
const jars = Array.from({ length: 20 }, (_, i) => 3 + i * 117);
const jars2 = Array.from({ length: 20 }, (_, i) => 60 + i * 117);
for (let round = 0; round < 4; round++) {
  if (round === 3) jars.splice(0, 20, ...jars2);
  const ts: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    const res = await wb.dispatch('dashboard.panel', { panel: 'battery.voltage', scope: { kind: 'battery', id: jars[i] }, ...year }, { transport: 'test' });
    ts.push(Math.round(performance.now() - t0));
    if (!res.ok) throw new Error(res.error.message);
    if (round === 0 && i === 0) console.log(JSON.stringify(res.value).slice(0, 600));
  }
  console.log('round', round, ts.join(' '));
}
await wb.close();
