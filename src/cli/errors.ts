/**
 * Errors the CLI reports as one line on stderr with exit code 2.
 */

/** A wrong command line. */
export class UsageError extends Error {}

/** A setting combination the server refuses to start with. */
export class StartupError extends Error {}
