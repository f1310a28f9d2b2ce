// Prints the gzipped size of everything the page loads (every file of dist/, wasm-bindgen's snippets/ included),
// and the total; what is fetched only when a user asks for it (a scenario, a planted bug's run, the course, the
// SVG exporter) is listed apart.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const dir = process.argv[2] || 'dist';
const ON_DEMAND = ['scenarios', 'runs', 'course', 'svgcanvas.esm.js'];
const files = (d) => fs.readdirSync(d).sort().flatMap((f) => {
  const p = path.join(d, f);
  return fs.statSync(p).isDirectory() ? files(p) : [p];
});
const gzip = (p) => zlib.gzipSync(fs.readFileSync(p), { level: 9 }).length;
let raw = 0, gz = 0;
const later = new Map();
for (const p of files(dir)) {
  const rel = path.relative(dir, p);
  const top = rel.split(path.sep)[0];
  if (ON_DEMAND.includes(top)) {
    const [n, z] = later.get(top) || [0, 0];
    later.set(top, [n + 1, z + gzip(p)]);
    continue;
  }
  const size = fs.statSync(p).size;
  const z = gzip(p);
  raw += size; gz += z;
  console.log(`${rel.padEnd(48)} ${(size / 1024).toFixed(1).padStart(8)} KB  gzip ${(z / 1024).toFixed(1).padStart(7)} KB`);
}
console.log(`total_kb=${(raw / 1024).toFixed(1)} total_gzip_kb=${(gz / 1024).toFixed(1)}`);
for (const [what, [n, z]] of later) console.log(`on demand: ${what} (${n} file${n === 1 ? '' : 's'}), gzip ${(z / 1024).toFixed(1)} KB in all`);
