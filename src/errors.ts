// Every failure Gatehouse reports is a typed error with a stable `code`: the problem+json body, the log
// line and the docs all use the same code (jose's error classes are the model).

export class GatehouseError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** One thing wrong with the configuration: which setting, what value, how to fix it. */
export interface ConfigIssue {
  /** The Gatehouse path of the setting, e.g. `cors.allowedOrigins[2]`. */
  readonly setting: string;
  /** The django-cors-headers (or environment) name of the same setting, when there is one. */
  readonly djangoName?: string;
  readonly value?: unknown;
  readonly message: string;
  readonly hint?: string;
}

export function formatConfigIssue(issue: ConfigIssue): string {
  const name = issue.djangoName ? `${issue.setting} (${issue.djangoName})` : issue.setting;
  const value = issue.value === undefined ? '' : ` = ${JSON.stringify(issue.value)}`;
  const hint = issue.hint ? `\n    fix: ${issue.hint}` : '';
  return `${name}${value}: ${issue.message}${hint}`;
}

/** Bad configuration: thrown at start-up, never at request time. */
export class ConfigError extends GatehouseError {
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[]) {
    const lines = issues.map((issue) => `  - ${formatConfigIssue(issue)}`).join('\n');
    super('config-invalid', `Gatehouse cannot start: the configuration has ${issues.length} problem(s):\n${lines}`);
    this.issues = issues;
  }
}
