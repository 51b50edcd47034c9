import { run } from './program.js';
import { processIo } from './output.js';

const code = await run(process.argv.slice(2), { io: processIo, cwd: process.cwd() });
process.exitCode = code;
