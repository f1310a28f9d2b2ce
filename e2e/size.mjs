// Prints the gzipped size of everything the page loads (every file in dist/), and the total.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const dir = process.argv[2] || 'dist';
let raw = 0, gz = 0;
for (const f of fs.readdirSync(dir).sort()) {
  const data = fs.readFileSync(path.join(dir, f));
  const z = zlib.gzipSync(data, { level: 9 }).length;
  raw += data.length; gz += z;
  console.log(`${f.padEnd(40)} ${(data.length / 1024).toFixed(1).padStart(8)} KB  gzip ${(z / 1024).toFixed(1).padStart(7)} KB`);
}
console.log(`total_kb=${(raw / 1024).toFixed(1)} total_gzip_kb=${(gz / 1024).toFixed(1)}`);
