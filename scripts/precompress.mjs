// Writes a brotli (.br) and a gzip (.gz) copy beside every built file worth compressing, so the
// server sends the one the browser accepts as it is (server/src/static_files.rs): compressed once, at
// the best level, when the app is built, never per request. Called by scripts/finish-build.mjs
// (Trunk's post_build hook); by itself, takes the folder as an argument.
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, extname } from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);
const COMPRESSIBLE = new Set(['.js', '.wasm', '.css', '.html', '.svg', '.json', '.webmanifest', '.txt', '.ico', '.map']);
// Below this, compressing saves less than its headers cost.
const AT_LEAST = 1024;

async function* files(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (entry.isFile()) yield path;
  }
}

async function compress(path) {
  const plain = await readFile(path);
  const [br, gz] = await Promise.all([
    brotli(plain, {
      params: {
        [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
        [zlib.constants.BROTLI_PARAM_LGWIN]: 24,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: plain.length,
      },
    }),
    gzip(plain, { level: 9 }),
  ]);
  // A variant no smaller than the file itself is not kept: the file goes as it is.
  if (br.length < plain.length) await writeFile(`${path}.br`, br);
  if (gz.length < plain.length) await writeFile(`${path}.gz`, gz);
  return { path, plain: plain.length, br: br.length, gz: gz.length };
}

// Compresses every file worth it under `dir`; prints the totals.
export async function precompress(dir) {
  const todo = [];
  for await (const path of files(dir)) {
    if (COMPRESSIBLE.has(extname(path)) && (await stat(path)).size >= AT_LEAST) todo.push(path);
  }
  const done = await Promise.all(todo.map(compress));
  const total = (key) => done.reduce((sum, f) => sum + f[key], 0);
  console.log(
    `precompress: ${done.length} files, ${total('plain')} bytes -> brotli ${total('br')}, gzip ${total('gz')}`,
  );
}

// Run by itself: on the folder given, or Trunk's staging folder.
if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2] || process.env.TRUNK_STAGING_DIR;
  if (!dir) {
    console.error('precompress: give the built folder (or run from Trunk, which sets TRUNK_STAGING_DIR)');
    process.exit(2);
  }
  await precompress(dir);
}
