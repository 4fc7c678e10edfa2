// A small HTTPS server on loopback for the documents Clavis fetches (jwks_uri, client ID
// metadata documents, sector_identifier_uri): its certificate is issued by a test CA made
// here with the openssl command line, whose file Clavis trusts by --fetch-ca-file.
// Loopback is refused by Clavis unless it runs with --fetch-allow-loopback.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';

function openssl(args, cwd) {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A test CA and a server certificate for 127.0.0.1, ::1 and localhost, in a temp dir. */
export function makeTestPki() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clavis-pki-'));
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Clavis test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign'], dir);
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost'], dir);
  writeFileSync(path.join(dir, 'ext.cnf'),
    'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
    '-out', 'server.pem', '-days', '2', '-extfile', 'ext.cnf'], dir);
  return {
    dir,
    caFile: path.join(dir, 'ca.pem'),
    key: readFileSync(path.join(dir, 'server.key')),
    cert: readFileSync(path.join(dir, 'server.pem')),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Starts the server. set(path, body, headers?) serves body (a string, or an object sent as
 * JSON) at path with status 200; hits(path) counts the GETs of path; delay(path, ms)
 * answers it only after ms. Everything else is a 404.
 */
export async function startDocServer(pki = makeTestPki()) {
  const docs = new Map();
  const counts = new Map();
  const delays = new Map();
  const server = https.createServer({ key: pki.key, cert: pki.cert }, (req, res) => {
    const p = req.url;
    counts.set(p, (counts.get(p) ?? 0) + 1);
    const doc = docs.get(p);
    const send = () => {
      if (doc === undefined) { res.writeHead(404).end(); return; }
      res.writeHead(200, { 'Content-Type': 'application/json', ...doc.headers }).end(doc.body);
    };
    const ms = delays.get(p);
    if (ms) setTimeout(send, ms); else send();
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return {
    url: `https://127.0.0.1:${port}`,
    localhostUrl: `https://localhost:${port}`,
    port,
    caFile: pki.caFile,
    set(p, body, headers = {}) {
      docs.set(p, { body: typeof body === 'string' ? body : JSON.stringify(body), headers });
    },
    hits: (p) => counts.get(p) ?? 0,
    delay(p, ms) { delays.set(p, ms); },
    async close() {
      server.closeAllConnections?.();
      await new Promise((r) => server.close(r));
      pki.cleanup();
    },
  };
}
