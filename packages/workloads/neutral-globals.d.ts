// For the platform-neutral typecheck only (tsconfig.neutral.json): the one web-standard
// global that @cvhrc/hw and @cvhrc/mm (imported by the programs) use, present in Node 20+
// and in browsers alike.
declare const performance: { now(): number };
