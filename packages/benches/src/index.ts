/** @cvhrc/benches: the paper's experiments as scenarios. */
export const BENCHES_VERSION = "0.1.0";
