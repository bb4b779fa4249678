// Failures of managing keys (create, revoke, rotate...). Failures of *using* a key are
// AuthenticationErrors (authErrors.ts), whose reason goes to the log.

import { GatehouseError } from '../../errors.ts';

export type ApiKeyStoreErrorCode = 'api-key-input-invalid' | 'api-key-not-found' | 'api-key-already-revoked';

export interface ApiKeyInputIssue {
  /** The field of the request, e.g. `allowedIps[2]`. */
  readonly field: string;
  readonly value?: unknown;
  readonly message: string;
  readonly hint?: string;
}

export class ApiKeyStoreError extends GatehouseError {
  readonly issues: readonly ApiKeyInputIssue[];
  constructor(code: ApiKeyStoreErrorCode, message: string, issues: readonly ApiKeyInputIssue[] = []) {
    const lines = issues.map((i) => `\n  - ${i.field}${i.value === undefined ? '' : ` = ${JSON.stringify(i.value)}`}: ${i.message}${i.hint ? ` (${i.hint})` : ''}`).join('');
    super(code, message + lines);
    this.issues = issues;
  }
}
