import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defaultMachineConfig, parseMachineConfig, type MachineConfig } from '@cvhrc/hw';
import { CliError } from './errors.js';
import { readReason } from './output.js';

/** Reads a JSON file, with errors that name the file and the position of a syntax error. */
export function readJsonFile(path: string, cwd: string): unknown {
  const full = resolve(cwd, path);
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${path}: ${readReason(e)}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new CliError(`${path}: not valid JSON: ${(e as Error).message}`);
  }
}

/** The machine of `--config FILE`, or the paper's Table 1 without one. */
export function loadMachineConfig(path: string | undefined, cwd: string): MachineConfig {
  if (path === undefined) return defaultMachineConfig();
  return parseMachineConfig(readJsonFile(path, cwd), path);
}
