/** Limits on input the loaders accept (no Node imports, so the types stay browser-clean). */

/** Longest line the loaders accept unless told otherwise (bytes): real rating and catalog lines are under 1 KB. */
export const DEFAULT_MAX_LINE_BYTES = 1 << 20;
