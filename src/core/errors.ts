/**
 * The one error hierarchy. Every failure a tool can report is a VigilError with a stable code;
 * the server maps it to an MCP `isError` result in exactly one place (server/call-tool.ts).
 */

export const ERROR_CODES = [
  'VALIDATION_ERROR',
  'NOT_FOUND',
  'CONFLICT',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'READ_ONLY',
  'RATE_LIMITED',
  'UPSTREAM_ERROR',
  'UPSTREAM_TIMEOUT',
  'NOT_SUPPORTED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class VigilError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
}

/** A parameter path as callers write it: `a.b[0].c` for the path of a validation issue. */
export function parameterPath(path: readonly PropertyKey[]): string {
  return path.map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i ? '.' : ''}${String(k)}`)).join('');
}

export class ValidationError extends VigilError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('VALIDATION_ERROR', message, details);
  }
}

export class NotFoundError extends VigilError {
  constructor(resource: string, id: string, parameter?: string) {
    super(
      'NOT_FOUND',
      `No ${resource} with id '${id}'${parameter ? ` (parameter \`${parameter}\`)` : ''}.`,
      parameter ? { parameter, id } : { id },
    );
  }
}

export class ConflictError extends VigilError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('CONFLICT', message, details);
  }
}

export class UnauthorizedError extends VigilError {
  constructor(message: string) {
    super('UNAUTHORIZED', message);
  }
}

export class ForbiddenError extends VigilError {
  constructor(message: string) {
    super('FORBIDDEN', message);
  }
}

export class ReadOnlyError extends VigilError {
  constructor(tool: string) {
    super(
      'READ_ONLY',
      `Tool '${tool}' changes data and this server runs in read-only mode. Set VIGIL_MODE=read_write (and use a read_write API key) to enable write tools.`,
      { tool },
    );
  }
}

export class NotSupportedError extends VigilError {
  constructor(operation: string, provider: string) {
    super('NOT_SUPPORTED', `The ${provider} provider does not support ${operation}.`, { provider });
  }
}
