// The string form of a rule, parsed once at start-up: `posts:write AND (owner OR admin)`.
//
//   rule    := or
//   or      := and ( OR and )*
//   and     := unary ( AND unary )*
//   unary   := NOT unary | primary
//   primary := "(" or ")" | word
//   word    := any | authenticated | readonly | safe | admin | owner | deny | role:NAME | scope:SCOPE
//            | SCOPE-with-":" | a custom rule's name
//
// Keywords and built-in names are case-insensitive; roles and scopes are not (RFC 6749 §3.3). The
// scanner reads each character once and the parser recurses only on "(" and NOT, both bounded by
// MAX_RULE_DEPTH, so no input can make it slow or overflow the stack.

import { ConfigError, type ConfigIssue } from '../errors.ts';
import { closest } from '../text/editDistance.ts';
import { adminRole, allowAny, denyAll, hasRole, isAuthenticated, isAuthenticatedOrReadOnly, isOwner, isSafeRequest, type OwnerOf } from './builtinRules.ts';
import { and, not, or } from './combinators.ts';
import { isWordChar, type Rule } from './rule.ts';
import { hasScope } from './scopeRule.ts';

export const MAX_RULE_LENGTH = 1000;
export const MAX_RULE_DEPTH = 32;

export interface RuleParseOptions {
  /** How `owner` finds an object's owner; default the object's `owner` property. */
  readonly ownerOf?: OwnerOf;
  /** The role `admin` means; default `admin`. */
  readonly adminRole?: string;
  /** Custom rules the string form may name (`published`): DRF's own permission classes. */
  readonly rules?: Readonly<Record<string, Rule>>;
}

export type RuleParseResult = { readonly ok: true; readonly rule: Rule } | { readonly ok: false; readonly message: string; readonly hint: string };

const BUILTIN_NAMES = ['any', 'authenticated', 'readonly', 'safe', 'admin', 'owner', 'deny'] as const;
const KEYWORDS = new Set(['and', 'or', 'not']);

// Django REST framework's class names, so a Django user's first guess gets a precise hint.
const DRF_NAMES: Readonly<Record<string, string>> = {
  allowany: 'any',
  isauthenticated: 'authenticated',
  isadminuser: 'admin',
  isauthenticatedorreadonly: 'readonly',
};

const SYMBOLS: Readonly<Record<string, string>> = { '&': 'AND', '&&': 'AND', '|': 'OR', '||': 'OR', '!': 'NOT', '~': 'NOT' };

interface Token {
  readonly kind: 'word' | '(' | ')' | 'end';
  readonly text: string;
  /** 1-based, as editors count. */
  readonly column: number;
}

class RuleSyntaxFailure {
  constructor(
    readonly message: string,
    readonly hint: string,
  ) {}
}

/** Parses the string form; a syntax error is a result, never an exception. */
export function parseRuleSource(source: string, options: RuleParseOptions = {}): RuleParseResult {
  try {
    if (typeof source !== 'string') throw new RuleSyntaxFailure('is not a string', 'write a rule such as "authenticated"');
    if (source.length > MAX_RULE_LENGTH) {
      throw new RuleSyntaxFailure(`is ${source.length} characters long; the limit is ${MAX_RULE_LENGTH}`, 'give the parts of the rule to separate routes, or define a custom rule in code');
    }
    return { ok: true, rule: new RuleParser(tokenize(source), options).parse() };
  } catch (error) {
    if (error instanceof RuleSyntaxFailure) return { ok: false, message: error.message, hint: error.hint };
    throw error;
  }
}

/** The ConfigIssue for a rule that does not parse, naming `setting` (e.g. `permissions[2].rule`). */
export function ruleIssue(setting: string, source: string, result: Extract<RuleParseResult, { ok: false }>): ConfigIssue {
  return { setting, value: source, message: result.message, hint: result.hint };
}

/** Parses the string form at start-up; throws a ConfigError naming `setting` and the column. */
export function parseRule(source: string, options: RuleParseOptions & { readonly setting?: string } = {}): Rule {
  const result = parseRuleSource(source, options);
  if (!result.ok) throw new ConfigError([ruleIssue(options.setting ?? 'rule', source, result)]);
  return result.rule;
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const code = source.charCodeAt(i);
    if (code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d) {
      i++;
    } else if (code === 0x28 || code === 0x29) {
      tokens.push({ kind: code === 0x28 ? '(' : ')', text: source[i]!, column: i + 1 });
      i++;
    } else if (isWordChar(code)) {
      const start = i;
      while (i < source.length && isWordChar(source.charCodeAt(i))) i++;
      tokens.push({ kind: 'word', text: source.slice(start, i), column: start + 1 });
    } else {
      const char = String.fromCodePoint(source.codePointAt(i)!);
      const shown = code < 0x20 || code === 0x7f ? `U+${code.toString(16).toUpperCase().padStart(4, '0')}` : char === '"' ? `'"'` : `"${char}"`;
      throw new RuleSyntaxFailure(
        `unexpected character ${shown} at column ${i + 1}`,
        'a rule is made of names (authenticated, owner, role:editor, posts:read), AND, OR, NOT and parentheses; names are printable ASCII without quotes or "\\"',
      );
    }
  }
  tokens.push({ kind: 'end', text: '', column: source.length + 1 });
  return tokens;
}

class RuleParser {
  private index = 0;
  private depth = 0;
  private readonly custom: ReadonlyMap<string, Rule>;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly options: RuleParseOptions,
  ) {
    this.custom = customRules(options.rules ?? {});
  }

  parse(): Rule {
    if (this.peek().kind === 'end') throw new RuleSyntaxFailure('is empty', 'write a rule such as "authenticated", or "any" for a public route');
    const rule = this.or();
    const next = this.peek();
    if (next.kind === ')') throw new RuleSyntaxFailure(`unexpected ")" at column ${next.column}`, 'remove it, or add the "(" it should close');
    if (next.kind !== 'end') this.missingOperator(next);
    return rule;
  }

  private or(): Rule {
    const operands = [this.and()];
    while (this.keyword(this.peek()) === 'or') {
      this.index++;
      operands.push(this.and());
    }
    return operands.length === 1 ? operands[0]! : or(...operands);
  }

  private and(): Rule {
    const operands = [this.unary()];
    while (this.keyword(this.peek()) === 'and') {
      this.index++;
      operands.push(this.unary());
    }
    return operands.length === 1 ? operands[0]! : and(...operands);
  }

  private unary(): Rule {
    const token = this.peek();
    if (this.keyword(token) !== 'not') return this.primary();
    this.index++;
    this.enter(token);
    const rule = not(this.unary());
    this.depth--;
    return rule;
  }

  private primary(): Rule {
    const token = this.tokens[this.index++]!;
    if (token.kind === 'word' && this.keyword(token) === undefined) return this.word(token);
    if (token.kind === '(') {
      this.enter(token);
      const rule = this.or();
      const close = this.peek();
      if (close.kind === ')') {
        this.index++;
        this.depth--;
        return rule;
      }
      if (close.kind === 'end') throw new RuleSyntaxFailure(`expected ")" at column ${close.column}`, `close the "(" opened at column ${token.column}`);
      this.missingOperator(close);
    }
    const previous = this.index >= 2 ? this.tokens[this.index - 2] : undefined;
    const after = previous !== undefined && previous.kind !== ')' ? ` after ${previous.kind === 'word' ? previous.text.toUpperCase() : '"("'}` : '';
    const found = token.kind === 'end' ? '' : `, found ${token.kind === 'word' ? token.text.toUpperCase() : `"${token.text}"`}`;
    throw new RuleSyntaxFailure(
      `expected a rule${after} at column ${token.column}${found}`,
      token.kind === 'word' ? 'AND and OR go between two rules, NOT before one' : 'write a rule here, such as "authenticated" or "owner"',
    );
  }

  private word(token: Token): Rule {
    const text = token.text;
    const lower = text.toLowerCase();
    switch (lower) {
      case 'any':
        return allowAny;
      case 'authenticated':
        return isAuthenticated;
      case 'readonly':
        return isAuthenticatedOrReadOnly;
      case 'safe':
        return isSafeRequest;
      case 'admin':
        return adminRole(this.options.adminRole);
      case 'owner':
        return isOwner(this.options.ownerOf);
      case 'deny':
        return denyAll;
    }
    for (const prefix of ['role:', 'scope:']) {
      if (!lower.startsWith(prefix)) continue;
      const name = text.slice(prefix.length);
      if (name === '') throw new RuleSyntaxFailure(`"${text}" at column ${token.column} needs a name after the ":"`, prefix === 'role:' ? 'write e.g. role:editor' : 'write e.g. scope:posts:read');
      return prefix === 'role:' ? hasRole(name) : hasScope(name);
    }
    const custom = this.custom.get(lower);
    if (custom !== undefined) return custom;
    if (text.includes(':')) return hasScope(text);
    throw new RuleSyntaxFailure(`unknown rule "${text}" at column ${token.column}`, this.unknownHint(text, lower));
  }

  private unknownHint(text: string, lower: string): string {
    const symbol = SYMBOLS[text];
    if (symbol !== undefined) return `write ${symbol}: the operators are the words AND, OR and NOT`;
    if ((text.startsWith('!') || text.startsWith('~')) && text.length > 1) return `write "NOT ${text.slice(1)}"`;
    const drf = DRF_NAMES[lower];
    if (drf !== undefined) return `"${text}" is Django REST framework's name; Gatehouse's is "${drf}"`;
    const names = [...BUILTIN_NAMES, ...this.custom.keys()];
    const suggestion = closest(lower, names, 2);
    if (suggestion !== undefined) return `did you mean "${suggestion}"?`;
    return `the names are ${names.join(', ')} and role:NAME; a scope contains ":" (posts:read), or write scope:${text}`;
  }

  private missingOperator(token: Token): never {
    const previous = this.tokens[this.index - 1]!;
    const symbol = SYMBOLS[token.text];
    throw new RuleSyntaxFailure(
      `expected AND or OR at column ${token.column}, found "${token.text}"`,
      symbol === undefined ? `join two rules with AND or OR, e.g. "${previous.text} AND ${token.text}"` : `write ${symbol}: the operators are the words AND, OR and NOT`,
    );
  }

  private enter(token: Token): void {
    if (++this.depth > MAX_RULE_DEPTH) {
      throw new RuleSyntaxFailure(`nests deeper than ${MAX_RULE_DEPTH} levels at column ${token.column}`, 'simplify the rule: NOT NOT x is x, and ((x)) is x');
    }
  }

  private peek(): Token {
    return this.tokens[this.index]!;
  }

  private keyword(token: Token): string | undefined {
    if (token.kind !== 'word') return undefined;
    const lower = token.text.toLowerCase();
    return KEYWORDS.has(lower) ? lower : undefined;
  }
}

function customRules(rules: Readonly<Record<string, Rule>>): ReadonlyMap<string, Rule> {
  const map = new Map<string, Rule>();
  for (const [name, rule] of Object.entries(rules)) {
    const lower = name.toLowerCase();
    let word = name.length > 0 && !name.includes(':');
    for (let i = 0; word && i < name.length; i++) word = isWordChar(name.charCodeAt(i));
    if (!word || KEYWORDS.has(lower) || (BUILTIN_NAMES as readonly string[]).includes(lower)) {
      throw new TypeError(`custom rule name ${JSON.stringify(name)} must be a word without ":" that is not a keyword or built-in name`);
    }
    map.set(lower, rule);
  }
  return map;
}
