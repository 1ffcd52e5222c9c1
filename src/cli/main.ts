#!/usr/bin/env -S node --no-memory-reducer
import type { CliIo, Command } from './command.js';
import { UsageError } from './command.js';

/** Subcommands, loaded on demand so `cf-prom parse` does not pay for the daemons' imports. */
const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  parse: {
    summary: 'parse exposition text, print one JSON sample per line',
    load: async () => (await import('./parse-command.js')).parseCommand,
  },
  format: {
    summary: 're-serialize exposition as text 0.0.4 or OpenMetrics',
    load: async () => (await import('./format-command.js')).formatCommand,
  },
  relabel: {
    summary: 'apply metric_relabel_configs to an exposition or to JSON label sets',
    load: async () => (await import('./relabel-command.js')).relabelCommand,
  },
  envelopes: {
    summary: 'print the Loggregator v2 envelopes a scrape of an exposition would send',
    load: async () => (await import('./envelopes-command.js')).envelopesCommand,
  },
  check: {
    summary: 'validate scrape configs (files, or everything the environment points at), like promtool check config',
    load: async () => (await import('./check-command.js')).checkCommand,
  },
  'scrape-once': {
    summary: 'scrape every target of a config once, print the samples (NDJSON) and a summary',
    load: async () => (await import('./scrape-once-command.js')).scrapeOnceCommand,
  },
  scraper: {
    summary: 'run the prom-scraper daemon (env vars or --config FILE; what npm start runs)',
    load: async () => (await import('./scraper-command.js')).scraperCommand,
  },
  routes: {
    summary: "print the route table from a file, NATS or gorouter, or look up an app's instances",
    load: async () => (await import('./routes-command.js')).routesCommand,
  },
  fetcher: {
    summary: 'promfetcher: serve the merged metrics of every instance of a CF app',
    load: async () => (await import('./fetcher-command.js')).fetcherCommand,
  },
  demo: {
    summary: 'parse and re-serialize a small built-in exposition',
    load: async () => (await import('./demo-command.js')).demoCommand,
  },
};

function usage(): string {
  const lines = Object.entries(commands).map(([n, c]) => `  ${n.padEnd(14)} ${c.summary}`);
  return `usage: cf-prom <command> [options]\n\ncommands:\n${lines.join('\n')}\n`;
}

export async function main(argv: string[], io: Omit<CliIo, 'argv'>): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    io.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') {
    const { version } = await import('../version.js');
    io.stdout.write(`cf-prom ${version}\n`);
    return 0;
  }
  const entry = commands[name];
  if (!entry) {
    io.stderr.write(`cf-prom: unknown command "${name}"\n${usage()}`);
    return 2;
  }
  try {
    return await (await entry.load())({ ...io, argv: rest });
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`cf-prom ${name}: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

const isEntry =
  process.argv[1] !== undefined &&
  import.meta.url === (await import('node:url')).pathToFileURL((await import('node:fs')).realpathSync(process.argv[1])).href;
if (isEntry) {
  main(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`cf-prom: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
