// Severities of `gatehouse check` findings, lowest first, and the comparison `--fail-on` uses.

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** `--fail-on none` never fails on findings. */
export type FailOn = Severity | 'none';
export const FAIL_ON_CHOICES: readonly FailOn[] = [...SEVERITIES, 'none'];

export function isSeverity(value: string): value is Severity {
  return (SEVERITIES as readonly string[]).includes(value);
}

export function severityAtLeast(severity: Severity, threshold: FailOn): boolean {
  if (threshold === 'none') return false;
  return SEVERITIES.indexOf(severity) >= SEVERITIES.indexOf(threshold);
}

/** For sorting: the most severe first. */
export function bySeverityDescending(a: Severity, b: Severity): number {
  return SEVERITIES.indexOf(b) - SEVERITIES.indexOf(a);
}
