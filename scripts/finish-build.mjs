// Finishes a build of the app (Trunk.toml's post_build hook, on Trunk's staging folder; or on the
// folder given as an argument):
// 1. the app's second build (the register, sync and every staff page, loaded by the door when needed:
//    app/src/door.rs) is written by Trunk under fixed names; it is renamed by its content's hash, like
//    every other built file, and index.html's <link rel="dsr-app-script"> and <link rel="dsr-app-wasm">
//    name the new files. A hashed name never changes content, so browsers may keep it for a year.
//    The draft writer (app/draft-writer.js, a worker) is renamed the same way, named in
//    <link rel="dsr-draft-writer">.
// 2. a brotli and a gzip copy of every file worth compressing (scripts/precompress.mjs).
import { createHash } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { precompress } from './precompress.mjs';

const dir = process.argv[2] || process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error('finish-build: give the built folder (or run from Trunk, which sets TRUNK_STAGING_DIR)');
  process.exit(2);
}

const script = await readFile(join(dir, 'dsr-app.js'));
const wasm = await readFile(join(dir, 'dsr-app_bg.wasm'));
const hash = createHash('sha256').update(script).update(wasm).digest('hex').slice(0, 16);
const named = { script: `dsr-app-${hash}.js`, wasm: `dsr-app-${hash}_bg.wasm` };
await rename(join(dir, 'dsr-app.js'), join(dir, named.script));
await rename(join(dir, 'dsr-app_bg.wasm'), join(dir, named.wasm));
const index = join(dir, 'index.html');
const html = await readFile(index, 'utf8');
const linked = html
  .replace('<link rel="dsr-app-script" href="/dsr-app.js">', `<link rel="dsr-app-script" href="/${named.script}">`)
  .replace('<link rel="dsr-app-wasm" href="/dsr-app_bg.wasm">', `<link rel="dsr-app-wasm" href="/${named.wasm}">`);
if (!linked.includes(named.script) || !linked.includes(named.wasm)) {
  console.error('finish-build: index.html has no <link rel="dsr-app-script"> or <link rel="dsr-app-wasm"> to name the app in');
  process.exit(1);
}
// The draft writer (a worker the app starts: app/draft-writer.js), named by its content the same way.
const writer = await readFile(join(dir, 'draft-writer.js'));
const writerName = `draft-writer-${createHash('sha256').update(writer).digest('hex').slice(0, 16)}.js`;
await rename(join(dir, 'draft-writer.js'), join(dir, writerName));
const writerLinked = linked.replace('<link rel="dsr-draft-writer" href="/draft-writer.js">', `<link rel="dsr-draft-writer" href="/${writerName}">`);
if (!writerLinked.includes(writerName)) {
  console.error('finish-build: index.html has no <link rel="dsr-draft-writer"> to name the draft writer in');
  process.exit(1);
}
await writeFile(index, writerLinked);
console.log(`finish-build: the app is ${named.script} and ${named.wasm}; the draft writer ${writerName}`);

await precompress(dir);
