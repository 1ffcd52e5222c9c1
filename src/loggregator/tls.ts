import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext, type SecureContext } from 'node:tls';
import { LoggregatorTlsError } from './errors.js';

/** Paths of the agent CA, the client certificate and its key. */
export interface TlsFiles {
  caFile: string;
  certFile: string;
  keyFile: string;
}

/** The environment variables each file may come from, first match wins (prom_scraper, then the released daemon). */
const ENV = {
  caFile: ['LOGGREGATOR_AGENT_CA_FILE_PATH', 'CA_CERT_PATH'],
  certFile: ['LOGGREGATOR_AGENT_CERT_FILE_PATH', 'CLIENT_CERT_PATH'],
  keyFile: ['LOGGREGATOR_AGENT_KEY_FILE_PATH', 'CLIENT_KEY_PATH'],
} as const;

/** Reads the three paths from the environment; null when none is set, an error when only some are. */
export function tlsFilesFromEnv(env: NodeJS.ProcessEnv): TlsFiles | null {
  const pick = (names: readonly string[]): string | undefined => {
    for (const n of names) {
      const v = env[n];
      if (v !== undefined && v !== '') return v;
    }
    return undefined;
  };
  const caFile = pick(ENV.caFile);
  const certFile = pick(ENV.certFile);
  const keyFile = pick(ENV.keyFile);
  if (caFile === undefined && certFile === undefined && keyFile === undefined) return null;
  for (const [k, v] of [
    ['caFile', caFile],
    ['certFile', certFile],
    ['keyFile', keyFile],
  ] as const) {
    if (v === undefined) {
      throw new LoggregatorTlsError(
        '',
        ENV[k].join(' or '),
        'not set; the agent connection needs the CA, the client certificate and its key',
      );
    }
  }
  return { caFile: caFile as string, certFile: certFile as string, keyFile: keyFile as string };
}

function read(file: string, setting: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new LoggregatorTlsError(file, setting, `cannot read: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Mutual-TLS context for the agent: only the given CA is trusted, TLS 1.2 or later, the client
 * certificate must not be expired (go-loggregator refuses an expired one too).
 */
export function loadAgentTls(files: TlsFiles, now = Date.now()): SecureContext {
  const ca = read(files.caFile, 'CA file');
  const cert = read(files.certFile, 'certificate file');
  const key = read(files.keyFile, 'key file');
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(cert);
  } catch (err) {
    throw new LoggregatorTlsError(files.certFile, 'certificate file', 'not a PEM certificate', { cause: err });
  }
  if (Date.parse(leaf.validTo) < now)
    throw new LoggregatorTlsError(files.certFile, 'certificate file', `certificate expired at ${leaf.validTo}`);
  try {
    return createSecureContext({ ca, cert, key, minVersion: 'TLSv1.2' });
  } catch (err) {
    throw new LoggregatorTlsError(files.keyFile, 'key file', `cannot use certificate and key: ${(err as Error).message}`, { cause: err });
  }
}
