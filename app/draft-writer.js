// The draft writer: a dedicated worker that seals and stores half-typed forms' drafts in the app's
// IndexedDB database, off the page's main thread (app/src/local_store/draft_writer.rs starts it and
// talks to it). On the main thread a draft's write waits behind whatever the page is doing, an initial
// sync of 100,000 records among it; here nothing else runs, so a keystroke's draft is stored in
// milliseconds however busy the page is.
//
// It keeps nothing between messages but its connection to the database: the data key comes with each
// draft (a CryptoKey cannot be read out, only used), so signing out leaves nothing here. It never
// creates or upgrades the database (the page owns the schema) and closes its connection when a newer
// version of the app asks for it. Messages are handled one at a time, in the order sent:
//   { id, op: 'put', database, version, key, json, cryptoKey }  seals `json` (a Uint8Array) with
//       `cryptoKey` as the page does (a fresh 12-byte IV, then the AES-GCM ciphertext) and stores
//       { key, sealed } in `drafts`; with no cryptoKey (a public form before anyone signs in) stores
//       the draft itself, in clear;
//   { id, op: 'delete', database, version, key }  deletes the draft;
//   { id, op: 'close' }  closes the connection (sign-out: everything sent before it is done first).
// Each is answered { id, ok: true, sealStart, sealEnd, txStart, stored } (times in milliseconds since
// 1970, for the page's own measures) or { id, ok: false, error }.

const DRAFTS = 'drafts';
let connection = null;
let queue = Promise.resolve();

const now = () => performance.timeOrigin + performance.now();

function open(database, version) {
  if (connection) return Promise.resolve(connection);
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(database, version);
    // Only the page creates or upgrades the database: asked to here, this worker refuses.
    request.onupgradeneeded = () => request.transaction.abort();
    request.onsuccess = () => {
      const db = request.result;
      db.onversionchange = () => {
        db.close();
        if (connection === db) connection = null;
      };
      connection = db;
      resolve(db);
    };
    request.onerror = () => reject(request.error || new Error('the database did not open'));
  });
}

// One transaction on `drafts`: `work` asks for its requests; resolved once committed.
function write(db, work) {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(DRAFTS, 'readwrite');
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error || new Error('the draft was not stored'));
    work(tx.objectStore(DRAFTS));
    tx.commit();
  });
}

async function seal(cryptoKey, json) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const cipher = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, cryptoKey, json));
  const sealed = new Uint8Array(iv.length + cipher.length);
  sealed.set(iv, 0);
  sealed.set(cipher, iv.length);
  return sealed;
}

async function handle(message) {
  if (message.op === 'close') {
    if (connection) connection.close();
    connection = null;
    return {};
  }
  const sealStart = now();
  const entry =
    message.op !== 'put'
      ? null
      : message.cryptoKey
        ? { key: message.key, sealed: await seal(message.cryptoKey, message.json) }
        : JSON.parse(new TextDecoder().decode(message.json));
  const sealEnd = now();
  const db = await open(message.database, message.version);
  const txStart = now();
  if (message.op === 'put') await write(db, (store) => store.put(entry));
  else if (message.op === 'delete') await write(db, (store) => store.delete(message.key));
  else throw new Error(`no such draft operation: ${message.op}`);
  return { sealStart, sealEnd, txStart, stored: now() };
}

self.onmessage = (event) => {
  const message = event.data;
  queue = queue.then(async () => {
    try {
      self.postMessage({ id: message.id, ok: true, ...(await handle(message)) });
    } catch (error) {
      // A connection that failed (closed under us, site data cleared) is opened afresh next time.
      if (connection) connection.close();
      connection = null;
      self.postMessage({ id: message.id, ok: false, error: String((error && error.message) || error) });
    }
  });
};
