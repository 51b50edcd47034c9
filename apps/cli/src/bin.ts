import { run } from './program.js';
import { processIo } from './output.js';

// A reader that stops early (`cvhrc workloads | head`) closes the pipe: stop quietly, as
// Unix tools do, instead of dying on an unhandled EPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

const code = await run(process.argv.slice(2), { io: processIo, cwd: process.cwd() });
process.exitCode = code;
