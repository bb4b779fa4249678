// The audit report for people (grouped by severity, each finding with the request and response lines
// that prove it, a curl line to reproduce it, and the fix in both vocabularies) and for machines
// (`--json`), plus the verdict that decides the exit code.

import type { Evidence, Finding } from './analysis.ts';
import type { CheckReport } from './checkUrl.ts';
import { SEVERITIES, severityAtLeast, type FailOn, type Severity } from './severity.ts';

export type Outcome = 'clean' | 'findings' | 'incomplete';

export interface Verdict {
  readonly outcome: Outcome;
  /** The findings at or above --fail-on. */
  readonly failing: readonly Finding[];
  readonly summary: Readonly<Record<Severity, number>>;
}

/** Findings at or above `failOn` win; otherwise an audit that missed answers is not a pass. */
export function verdictOf(report: CheckReport, failOn: FailOn): Verdict {
  const failing = report.findings.filter((f) => severityAtLeast(f.severity, failOn));
  const summary = Object.fromEntries(SEVERITIES.map((s) => [s, report.findings.filter((f) => f.severity === s).length])) as Record<Severity, number>;
  const outcome: Outcome = failing.length > 0 ? 'findings' : report.incomplete.length > 0 ? 'incomplete' : 'clean';
  return { outcome, failing, summary };
}

/** `access-control-allow-origin` → `Access-Control-Allow-Origin`. */
export function headerCase(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());
}

const shellQuote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

/** A curl command that sends the same request (redacted values stay redacted). */
export function curlFor(evidence: Evidence): string {
  const { request } = evidence;
  const parts = ['curl', '-si'];
  if (request.method !== 'GET') parts.push('-X', request.method);
  parts.push(shellQuote(request.url));
  for (const [name, value] of Object.entries(request.headers)) {
    if (name === 'user-agent') continue;
    parts.push('-H', shellQuote(`${headerCase(name)}: ${value}`));
  }
  return parts.join(' ');
}

export function requestLines(evidence: Evidence): string[] {
  const url = new URL(evidence.request.url);
  const lines = [`> ${evidence.request.method} ${url.pathname}${url.search} HTTP/1.1`, `> Host: ${url.host}`];
  for (const [name, value] of Object.entries(evidence.request.headers)) if (name !== 'user-agent') lines.push(`> ${headerCase(name)}: ${value}`);
  return lines;
}

export function responseLines(evidence: Evidence): string[] {
  const lines = [`< HTTP/1.1 ${evidence.response.status}`];
  const headers = Object.entries(evidence.response.headers);
  for (const [name, value] of headers) lines.push(`< ${headerCase(name)}: ${value}`);
  if (!headers.some(([name]) => name === 'vary')) lines.push('< (no Vary header)');
  if (!headers.some(([name]) => name.startsWith('access-control-'))) lines.push('< (no Access-Control-* header)');
  return lines;
}

function wrap(text: string, indent: string, width = 100): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(indent + line);
  return lines;
}

function labelled(label: string, text: string): string[] {
  const [first = '', ...rest] = wrap(`${label}${text}`, '      ');
  return [`    ${first.trimStart()}`, ...rest];
}

export function formatReport(report: CheckReport, failOn: FailOn, exitCode: number): string {
  const verdict = verdictOf(report, failOn);
  const out: string[] = [
    `gatehouse check ${report.target}`,
    `  origins that should be allowed: ${report.expectedOrigins.length > 0 ? report.expectedOrigins.join(', ') : 'none given (--origin)'}`,
    `  ${report.requests.sent} request(s) in ${(report.durationMs / 1000).toFixed(1)} s${report.requests.skipped > 0 ? `; ${report.requests.skipped} probe(s) not sent (--max-requests ${report.requests.limit})` : ''}`,
    '',
  ];
  if (report.findings.length === 0) out.push('No CORS hole found.', '');
  for (const severity of [...SEVERITIES].reverse()) {
    const group = report.findings.filter((f) => f.severity === severity);
    if (group.length === 0) continue;
    out.push(`${severity.toUpperCase()} (${group.length})`, '');
    for (const finding of group) {
      out.push(`  [${finding.severity}] ${finding.id}: ${finding.title}`);
      out.push(...wrap(finding.detail, '    '));
      out.push('    proof:');
      out.push(...requestLines(finding.evidence).map((l) => `      ${l}`));
      out.push(...responseLines(finding.evidence).map((l) => `      ${l}`));
      out.push(`    reproduce: ${curlFor(finding.evidence)}`);
      out.push(...labelled('fix (Gatehouse): ', finding.fix.gatehouse));
      out.push(...labelled('fix (django-cors-headers): ', finding.fix.django));
      out.push('');
    }
  }
  if (report.incomplete.length > 0) {
    out.push(`INCOMPLETE: ${report.incomplete.length} probe(s) got no answer, so the audit may have missed something:`);
    for (const miss of report.incomplete) out.push(`  ${miss.method} with Origin: ${miss.origin ?? '(none)'}: ${miss.code}: ${miss.message}`);
    out.push('');
  }
  const counts = [...SEVERITIES].reverse().map((s) => `${verdict.summary[s]} ${s}`).join(', ');
  const why = verdict.outcome === 'findings' ? `${verdict.failing.length} finding(s) at or above --fail-on ${failOn}` : verdict.outcome === 'incomplete' ? 'the audit is incomplete' : `nothing at or above --fail-on ${failOn}`;
  out.push(`Summary: ${counts}. Exit ${exitCode}: ${why}.`);
  return `${out.join('\n')}\n`;
}

export function reportJson(report: CheckReport, failOn: FailOn, exitCode: number): unknown {
  const verdict = verdictOf(report, failOn);
  return {
    target: report.target,
    expectedOrigins: report.expectedOrigins,
    failOn,
    exitCode,
    outcome: verdict.outcome,
    summary: verdict.summary,
    findings: report.findings.map((f) => ({ ...f, evidence: { ...f.evidence, reproduce: curlFor(f.evidence) } })),
    requests: report.requests,
    incomplete: report.incomplete,
    durationMs: report.durationMs,
  };
}
