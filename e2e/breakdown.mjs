// What is in the wasm: twiggy's item sizes (from the build's wasm before wasm-opt, which still has names),
// summed per crate, largest first. The shipped file is smaller (wasm-opt), in about the same proportions.
import { execFileSync } from 'node:child_process';

const wasm = process.argv[2] || 'target/wasm-bindgen/release/web_bg.wasm';
const csv = execFileSync('twiggy', ['top', '-n', '1000000', '--format', 'csv', wasm], { maxBuffer: 1 << 28 }).toString();
const bytes = new Map();
for (const line of csv.split('\n').slice(1)) {
  // Name,ShallowSize,ShallowSizePercent,RetainedSize,RetainedSizePercent; a name may hold commas and quotes.
  const m = line.match(/^(.*),(\d+),[\d.]+,\d*,[\d.]*$/);
  if (!m) continue;
  const name = m[1].replace(/^"|"$/g, '');
  let group;
  if (/function names|names" subsection/.test(name)) group = '(names: stripped from the shipped file)';
  else if (/^data segment/.test(name)) group = '(data: strings and tables)';
  else {
    const crate = name.replace(/^[<&\s]+|^(mut|dyn)\s+/g, '').match(/^([a-z_][a-z0-9_]*)(\[[0-9a-f]+\])?::/);
    group = crate ? crate[1] : '(other)';
  }
  bytes.set(group, (bytes.get(group) || 0) + Number(m[2]));
}
const total = [...bytes].filter(([k]) => !k.startsWith('(names')).reduce((a, [, v]) => a + v, 0);
console.log(`wasm breakdown by crate (before wasm-opt, without names: ${(total / 1024).toFixed(0)} KB)`);
for (const [k, v] of [...bytes].sort((a, b) => b[1] - a[1]).slice(0, 16)) {
  if (k.startsWith('(names')) continue;
  console.log(`  ${k.padEnd(28)} ${(v / 1024).toFixed(1).padStart(7)} KB ${(100 * v / total).toFixed(1).padStart(5)} %`);
}
