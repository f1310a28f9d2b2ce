// Prints the gzipped size of everything the page loads (the files at the top of dist/), and the total; the
// folders (scenarios/, runs/) are fetched only when a user picks one, and are listed apart.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const dir = process.argv[2] || 'dist';
let raw = 0, gz = 0;
const onDemand = [];
for (const f of fs.readdirSync(dir).sort()) {
  if (fs.statSync(path.join(dir, f)).isDirectory()) { onDemand.push(f); continue; }
  const data = fs.readFileSync(path.join(dir, f));
  const z = zlib.gzipSync(data, { level: 9 }).length;
  raw += data.length; gz += z;
  console.log(`${f.padEnd(40)} ${(data.length / 1024).toFixed(1).padStart(8)} KB  gzip ${(z / 1024).toFixed(1).padStart(7)} KB`);
}
console.log(`total_kb=${(raw / 1024).toFixed(1)} total_gzip_kb=${(gz / 1024).toFixed(1)}`);
for (const d of onDemand) {
  const files = fs.readdirSync(path.join(dir, d));
  const z = files.reduce((a, f) => a + zlib.gzipSync(fs.readFileSync(path.join(dir, d, f)), { level: 9 }).length, 0);
  console.log(`on demand: ${d}/ ${files.length} files, gzip ${(z / 1024).toFixed(1)} KB in all`);
}
