import type { Command } from './command.js';

export const demoCommand: Command = async (io) => {
  io.stdout.write('cf-prom demo: nothing to show yet\n');
  return 0;
};
