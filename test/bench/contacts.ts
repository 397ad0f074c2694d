/**
 * What `customer_info` costs a load: the demo-schema sales file with four more columns
 * (客户名称 and 联系电话, mapped as name and phone; 地址 and 备注, unused; the demo's 单价 is
 * unused too), loaded with customer_info built and without (`customerInfo: false`), in one
 * process per variant so that the peak RSS (VmHWM) is the variant's own.
 *
 *   npx tsx test/bench/contacts.ts --lines 1000000 --info on|off [--runs 3]
 *
 * Prints one JSON line: wall and CPU ms per run (DuckDB on one thread, as in the page), the
 * engine's memory after the load, the process's peak RSS and customer_info's size.
 */
import { createReadStream, createWriteStream, existsSync, readFileSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { NodeDb } from '../../src/lib/db/duckdb-node.ts';
import { loadDataset } from '../../src/lib/ingest/load.ts';
import { BENCH_DIR, salesCsv } from './files.ts';

/** `.bench/contacts-N.csv`: the sales file with a name (empty on every third line), a phone, an address and a note. */
async function contactsCsv(lines: number): Promise<string> {
  const path = join(BENCH_DIR, `contacts-${lines}.csv`);
  if (existsSync(path)) return path;
  const source = await salesCsv(lines);
  const tmp = `${path}.${process.pid}.part`;
  const out = createWriteStream(tmp);
  let n = 0;
  let customer = -1;
  for await (const line of createInterface({ input: createReadStream(source), crlfDelay: Infinity })) {
    if (n === 0) {
      customer = line.split(',').indexOf('客户ID');
      out.write(`${line},客户名称,联系电话,地址,备注\n`);
    } else {
      const id = line.split(',')[customer] ?? '';
      const k = Number(id.replace(/\D/g, '')) || 0;
      const name = n % 3 === 0 ? '' : `客户${id}商贸有限公司`;
      const phone = `1380${String(k).padStart(7, '0')}`;
      if (!out.write(`${line},${name},${phone},某省某市某区某路${k % 997}号,备注${n % 50}\n`)) {
        await new Promise<void>((r) => out.once('drain', () => r()));
      }
    }
    n++;
  }
  await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())));
  await rename(tmp, path);
  return path;
}

function peakRssMb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return Math.round(Number(m?.[1] ?? 0) / 1024);
}

const { values } = parseArgs({ options: { lines: { type: 'string', default: '1000000' }, info: { type: 'string', default: 'on' }, runs: { type: 'string', default: '3' } } });
const lines = Number(values.lines);
const path = await contactsCsv(lines);
const bytes = new Uint8Array(readFileSync(path));
const db = await NodeDb.open({ threads: 1 });
const runs: { wallMs: number; cpuMs: number }[] = [];
let mapping = '';
for (let i = 0; i < Number(values.runs); i++) {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  const report = await loadDataset(db, [{ name: 'contacts.csv', bytes }], { customerInfo: values.info !== 'off', linesInTemp: true });
  const c = process.cpuUsage(cpu);
  runs.push({ wallMs: Math.round(performance.now() - wall), cpuMs: Math.round((c.user + c.system) / 1000) });
  mapping = JSON.stringify(report.files[0]?.mapping);
}
const [mem] = await db.query<{ mb: number }>('SELECT (sum(memory_usage_bytes) / 1048576)::DOUBLE AS mb FROM duckdb_memory()');
const [info] = await db.query<{ n: number; cells: number }>('SELECT count(*)::INTEGER AS n, coalesce(sum(len(cells)), 0)::INTEGER AS cells FROM customer_info');
const [linesN] = await db.query<{ n: number }>('SELECT count(*)::INTEGER AS n FROM lines');
console.log(
  JSON.stringify({
    lines,
    info: values.info,
    mapping,
    runs,
    bestWallMs: Math.min(...runs.map((r) => r.wallMs)),
    bestCpuMs: Math.min(...runs.map((r) => r.cpuMs)),
    engineMbAfter: Math.round(mem?.mb ?? 0),
    peakRssMb: peakRssMb(),
    keptLines: linesN?.n,
    customerInfoRows: info?.n,
    customerInfoCells: info?.cells,
  }),
);
await db.close();
