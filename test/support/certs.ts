// Certificates made by openssl for TLS tests: a private CA and leaves it signs, optionally made
// in the past through faketime (an expired certificate), in a test's directory.
import { execFileSync } from 'node:child_process';
import type { TestDir } from './testdir.js';

export function makeCerts(dir: TestDir): { ca(): void; leaf(name: string, cn: string, days: number, faketime?: string): void; client(name: string, cn: string): void } {
  const ssl = (args: string[], faketime?: string): void => {
    const cmd = faketime ? ['faketime', faketime, 'openssl', ...args] : ['openssl', ...args];
    execFileSync(cmd[0]!, cmd.slice(1), { cwd: dir.path, stdio: 'pipe' });
  };
  const sign = (name: string, cn: string, days: number, ext: string, faketime?: string): void => {
    ssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}/O=Test Org`]);
    dir.write(`${name}.ext`, ext);
    ssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', String(days), '-out', `${name}.pem`, '-extfile', `${name}.ext`], faketime);
  };
  return {
    ca: () => ssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '3650', '-subj', '/CN=Test Private CA/O=Test Org']),
    leaf: (name, cn, days, faketime) => sign(name, cn, days, `subjectAltName=DNS:${cn},IP:127.0.0.1\n`, faketime),
    client: (name, cn) => sign(name, cn, 30, 'extendedKeyUsage=clientAuth\n'),
  };
}
