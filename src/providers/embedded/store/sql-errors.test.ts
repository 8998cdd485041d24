/**
 * Driver errors that mean the store cannot write are named for what they are, with the driver's
 * own code and message kept; any other error is not a storage fault.
 */
import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../../core/errors.js';
import { storageFault } from './sql-errors.js';

const driverError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('storageFault', () => {
  it.each([
    ['SQLITE_FULL', 'database or disk is full', /^The disk holding the SQLite database is full/],
    ['SQLITE_READONLY', 'attempt to write a readonly database', /^The SQLite database is read-only/],
    ['SQLITE_READONLY_DIRECTORY', 'attempt to write a readonly database', /read-only/],
    ['SQLITE_BUSY', 'database is locked', /stayed locked/],
    ['SQLITE_IOERR_WRITE', 'disk I/O error', /could not be read or written/],
    ['57P01', 'terminating connection due to administrator command', /connection to PostgreSQL was lost/],
    ['ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432', /connection to PostgreSQL was lost or refused/],
    ['53100', 'could not extend file', /PostgreSQL database is full/],
    ['25006', 'cannot execute INSERT in a read-only transaction', /PostgreSQL server is read-only/],
    ['ENOSPC', 'no space left on device', /data directory is full/],
  ])('names %s and keeps the cause', (code, message, meaning) => {
    const fault = storageFault(driverError(code, message));
    expect(fault).toMatch(meaning);
    expect(fault).toContain(`(${code}: ${message}).`);
  });

  it('knows pg’s own messages for a lost connection', () => {
    expect(storageFault(new Error('Connection terminated unexpectedly'))).toMatch(/lost or refused/);
    expect(storageFault(new Error('Client has encountered a connection error and is not queryable'))).toMatch(
      /lost or refused/,
    );
  });

  it('is undefined for anything else', () => {
    expect(storageFault(driverError('SQLITE_CONSTRAINT_UNIQUE', 'UNIQUE constraint failed'))).toBeUndefined();
    expect(storageFault(driverError('23505', 'duplicate key value'))).toBeUndefined();
    expect(storageFault(new ConflictError('taken'))).toBeUndefined();
    expect(storageFault(new TypeError('x is undefined'))).toBeUndefined();
    expect(storageFault('a string')).toBeUndefined();
  });
});
