import type { Readable, Writable } from 'node:stream';

/** What a subcommand gets: its own arguments and the process streams (injected for tests). */
export interface CliIo {
  argv: string[];
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
}

/** A subcommand returns its exit code; it never calls process.exit itself. */
export type Command = (io: CliIo) => Promise<number>;

export class UsageError extends Error {}

/** Splits `--flag value`, `--flag=value` and boolean flags from positional arguments. */
export function parseArgs(
  argv: string[],
  spec: { strings?: string[]; booleans?: string[]; multi?: string[] },
): { flags: Map<string, string | true>; multi: Map<string, string[]>; positional: string[] } {
  const strings = new Set(spec.strings ?? []);
  const booleans = new Set(spec.booleans ?? []);
  const multiNames = new Set(spec.multi ?? []);
  const flags = new Map<string, string | true>();
  const multi = new Map<string, string[]>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '-' || !a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    const eq = a.indexOf('=');
    const name = eq === -1 ? a.slice(2) : a.slice(2, eq);
    if (booleans.has(name)) {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      flags.set(name, true);
      continue;
    }
    if (!strings.has(name) && !multiNames.has(name)) throw new UsageError(`unknown option --${name}`);
    let value: string | undefined;
    if (eq !== -1) value = a.slice(eq + 1);
    else value = argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    if (multiNames.has(name)) {
      const list = multi.get(name) ?? [];
      list.push(value);
      multi.set(name, list);
    } else flags.set(name, value);
  }
  return { flags, multi, positional };
}

/** Reads a whole input: a file path, or standard input for `-` / no argument. */
export async function readInput(io: CliIo, path: string | undefined): Promise<Buffer> {
  if (path === undefined || path === '-') {
    const chunks: Buffer[] = [];
    for await (const c of io.stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
    return Buffer.concat(chunks);
  }
  const { readFile } = await import('node:fs/promises');
  return readFile(path);
}
