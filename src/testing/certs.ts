import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CertPair {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

export interface TestPki {
  dir: string;
  ca: CertPair;
  /** Issues a certificate signed by this CA; `sans` are DNS names or IP addresses. */
  issue(name: string, opts?: { sans?: string[]; client?: boolean; server?: boolean }): CertPair;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function pair(dir: string, base: string): CertPair {
  const certFile = join(dir, `${base}.crt`);
  const keyFile = join(dir, `${base}.key`);
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}

/** A throw-away CA in a temporary directory (EC P-256 keys: fast to generate). */
export function createTestPki(caName = 'cf-prom test CA'): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'cf-prom-pki-'));
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key'], dir);
  openssl(
    [
      'req',
      '-x509',
      '-new',
      '-key',
      'ca.key',
      '-sha256',
      '-days',
      '2',
      '-subj',
      `/CN=${caName}`,
      '-out',
      'ca.crt',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  const ca = pair(dir, 'ca');
  let serial = 1;
  return {
    dir,
    ca,
    issue(name, opts = {}) {
      const base = name.replace(/[^A-Za-z0-9_.-]/g, '_');
      const sans = opts.sans ?? [name];
      const alt = sans.map((s) => (/^[0-9.]+$|:/.test(s) ? `IP:${s}` : `DNS:${s}`)).join(',');
      const usages = [opts.server !== false ? 'serverAuth' : '', opts.client !== false ? 'clientAuth' : ''].filter(Boolean).join(',');
      writeFileSync(
        join(dir, `${base}.ext`),
        `subjectAltName=${alt}\nextendedKeyUsage=${usages}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n`,
      );
      openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${base}.key`], dir);
      openssl(['req', '-new', '-key', `${base}.key`, '-subj', `/CN=${name}`, '-out', `${base}.csr`], dir);
      openssl(
        [
          'x509',
          '-req',
          '-in',
          `${base}.csr`,
          '-CA',
          'ca.crt',
          '-CAkey',
          'ca.key',
          '-set_serial',
          String(serial++),
          '-days',
          '2',
          '-sha256',
          '-extfile',
          `${base}.ext`,
          '-out',
          `${base}.crt`,
        ],
        dir,
      );
      return pair(dir, base);
    },
  };
}
