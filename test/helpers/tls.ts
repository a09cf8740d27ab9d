import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, type Server as NetServer, type Socket } from 'node:net';
import { createServer } from 'node:tls';
import { join } from 'node:path';

/**
 * A TLS endpoint in front of the real node: a self-signed CA and a server certificate for
 * localhost made with openssl, and a TLS-terminating proxy that passes the bytes to the plain node.
 */

export function makeCertificates(dir: string): { ca: string; key: string; cert: string } {
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  run([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=netlog test CA',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
  ]);
  run([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=localhost',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
  ]);
  const ext = join(dir, 'san.ext');
  execFileSync('sh', ['-c', `printf 'subjectAltName=DNS:localhost\\nbasicConstraints=CA:FALSE\\n' > ${ext}`]);
  run([
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    ext,
    '-out',
    'server.pem',
  ]);
  return { ca: join(dir, 'ca.pem'), key: join(dir, 'server.key'), cert: join(dir, 'server.pem') };
}

export async function startTlsProxy(
  target: string,
  certs: { key: string; cert: string },
): Promise<{ url: string; close(): Promise<void> }> {
  const upstream = new URL(target);
  const sockets = new Set<Socket>();
  const server = createServer({ key: readFileSync(certs.key), cert: readFileSync(certs.cert) }, (client) => {
    const plain = connect(Number(upstream.port), upstream.hostname);
    client.pipe(plain).pipe(client);
    for (const s of [client, plain]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://localhost:${(server.address() as { port: number }).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        (server as unknown as NetServer).close(() => resolve());
      }),
  };
}
