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

const index = join(dir, 'index.html');
let html = await readFile(index, 'utf8');

// Renames files Trunk wrote under fixed names (`stem` + `suffix`) to `stem-<hash of them all>suffix`,
// and names each in index.html's <link rel="REL" href="/FILE">; a missing link stops the build.
async function nameByContent(files) {
  const hash = createHash('sha256');
  for (const { stem, suffix } of files) hash.update(await readFile(join(dir, stem + suffix)));
  const digest = hash.digest('hex').slice(0, 16);
  const names = [];
  for (const { stem, suffix, rel } of files) {
    const name = `${stem}-${digest}${suffix}`;
    await rename(join(dir, stem + suffix), join(dir, name));
    const link = `<link rel="${rel}" href="/${stem}${suffix}">`;
    if (!html.includes(link)) {
      console.error(`finish-build: index.html has no ${link} to name ${name} in`);
      process.exit(1);
    }
    html = html.replace(link, `<link rel="${rel}" href="/${name}">`);
    names.push(name);
  }
  return names;
}

const app = await nameByContent([
  { stem: 'dsr-app', suffix: '.js', rel: 'dsr-app-script' },
  { stem: 'dsr-app', suffix: '_bg.wasm', rel: 'dsr-app-wasm' },
]);
// The draft writer (a worker the app starts: app/draft-writer.js).
const writer = await nameByContent([{ stem: 'draft-writer', suffix: '.js', rel: 'dsr-draft-writer' }]);
await writeFile(index, html);
console.log(`finish-build: the app is ${app.join(' and ')}; the draft writer ${writer[0]}`);

await precompress(dir);
