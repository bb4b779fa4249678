// The string form: precedence, case, every syntax error with its column and hint, and properties:
// any input is a Rule or a ConfigError, quickly; any generated rule means what the grammar says.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ConfigError } from '../../src/errors.ts';
import { isAuthenticatedOrReadOnly, ownerField, isSafeMethod } from '../../src/permissions/builtinRules.ts';
import { checkRequest } from '../../src/permissions/permissionCheck.ts';
import { rule, type PermissionContext } from '../../src/permissions/rule.ts';
import { MAX_RULE_DEPTH, MAX_RULE_LENGTH, parseRule, parseRuleSource } from '../../src/permissions/ruleParser.ts';
import { callers, ctx, outcome } from './fixtures.ts';

const canonical: [written: string, source: string][] = [
  ['any', 'any'],
  ['authenticated', 'authenticated'],
  ['readonly', 'readonly'],
  ['safe', 'safe'],
  ['admin', 'admin'],
  ['owner', 'owner'],
  ['deny', 'deny'],
  ['role:editor', 'role:editor'],
  ['scope:posts:read', 'posts:read'],
  ['posts:read', 'posts:read'],
  ['scope:openid', 'scope:openid'],
  ['scope:role:x', 'scope:role:x'],
  ['Posts:Write and (OWNER or Admin)', 'Posts:Write AND (owner OR admin)'],
  ['ROLE:Editor', 'role:Editor'],
  ['not Any', 'NOT any'],
  ['  owner\tOR\nadmin  ', 'owner OR admin'],
  ['((owner))', 'owner'],
  ['a:x OR b:y AND c:z', 'a:x OR b:y AND c:z'],
  ['(a:x OR b:y) AND c:z', '(a:x OR b:y) AND c:z'],
  ['NOT (a:x OR b:y)', 'NOT (a:x OR b:y)'],
  ['NOT NOT owner', 'NOT NOT owner'],
  ['a:x AND (b:y AND owner)', 'a:x AND b:y AND owner'],
  ['scope:a AND owner AND scope:b', 'scope:a AND scope:b AND owner'],
];

for (const [written, source] of canonical) {
  test(`parses ${JSON.stringify(written)} as ${source}`, () => {
    const parsed = parseRule(written);
    assert.equal(parsed.source, source);
    assert.equal(parseRule(parsed.source).source, source, 'the canonical form reads back as itself');
  });
}

// Precedence NOT > AND > OR, shown by what the rule decides: each row would decide the other way
// under the other grouping.
const precedence: [rule: string, expected: string, grouping: string][] = [
  ['any OR deny AND deny', 'allow', 'any OR (deny AND deny), not (any OR deny) AND deny'],
  ['deny AND any OR any', 'allow', '(deny AND any) OR any, not deny AND (any OR any)'],
  ['NOT any OR any', 'allow', '(NOT any) OR any, not NOT (any OR any)'],
  ['NOT deny AND deny', '403 permission-denied', '(NOT deny) AND deny, not NOT (deny AND deny)'],
  ['NOT (any OR any)', '403 permission-denied', 'parentheses group first'],
];

for (const [source, expected, grouping] of precedence) {
  test(`precedence: ${source} is ${grouping}`, () => {
    assert.equal(outcome(checkRequest(parseRule(source), ctx('alice'))), expected);
  });
}

const errors: [source: string, message: string, hint: RegExp][] = [
  ['posts:write AND (owner', 'expected ")" at column 23', /close the "\(" opened at column 17/],
  ['', 'is empty', /"authenticated"/],
  ['   ', 'is empty', /"any" for a public route/],
  ['owner admin', 'expected AND or OR at column 7, found "admin"', /"owner AND admin"/],
  ['(owner admin)', 'expected AND or OR at column 8, found "admin"', /AND or OR/],
  ['owner (admin)', 'expected AND or OR at column 7, found "("', /AND or OR/],
  ['owner AND', 'expected a rule after AND at column 10', /write a rule here/],
  ['AND owner', 'expected a rule at column 1, found AND', /between two rules/],
  ['owner OR OR admin', 'expected a rule after OR at column 10, found OR', /between two rules/],
  ['NOT', 'expected a rule after NOT at column 4', /write a rule here/],
  ['()', 'expected a rule after "(" at column 2, found ")"', /write a rule here/],
  ['owner)', 'unexpected ")" at column 6', /add the "\("/],
  ['ownr', 'unknown rule "ownr" at column 1', /did you mean "owner"\?/],
  ['authenticated AND IsAdminUser', 'unknown rule "IsAdminUser" at column 19', /Django REST framework's name; Gatehouse's is "admin"/],
  ['IsAuthenticatedOrReadOnly', 'unknown rule "IsAuthenticatedOrReadOnly" at column 1', /"readonly"/],
  ['owner && admin', 'expected AND or OR at column 7, found "&&"', /write AND/],
  ['owner | admin', 'expected AND or OR at column 7, found "|"', /write OR/],
  ['&& admin', 'unknown rule "&&" at column 1', /write AND/],
  ['!owner', 'unknown rule "!owner" at column 1', /"NOT owner"/],
  ['editor', 'unknown rule "editor" at column 1', /role:NAME.*scope:editor/],
  ['role:', '"role:" at column 1 needs a name after the ":"', /role:editor/],
  ['owner OR SCOPE:', '"SCOPE:" at column 10 needs a name after the ":"', /scope:posts:read/],
  ['owner AND "admin"', `unexpected character '"' at column 11`, /without quotes/],
  ['owner\u0000', 'unexpected character U+0000 at column 6', /printable ASCII/],
  ['ownér', 'unexpected character "é" at column 4', /printable ASCII/],
  ['owner AND 😀', 'unexpected character "😀" at column 11', /printable ASCII/],
  [`${'('.repeat(MAX_RULE_DEPTH + 1)}any${')'.repeat(MAX_RULE_DEPTH + 1)}`, `nests deeper than ${MAX_RULE_DEPTH} levels at column ${MAX_RULE_DEPTH + 1}`, /simplify/],
  [`${'NOT '.repeat(MAX_RULE_DEPTH + 1)}any`, `nests deeper than ${MAX_RULE_DEPTH} levels at column ${MAX_RULE_DEPTH * 4 + 1}`, /NOT NOT x is x/],
  ['x'.repeat(MAX_RULE_LENGTH + 1), `is ${MAX_RULE_LENGTH + 1} characters long; the limit is ${MAX_RULE_LENGTH}`, /separate routes|custom rule/],
];

for (const [source, message, hint] of errors) {
  test(`refuses ${JSON.stringify(source.length > 40 ? `${source.slice(0, 37)}...` : source)}: ${message}`, () => {
    const result = parseRuleSource(source);
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.equal(result.message, message);
    assert.match(result.hint, hint);
  });
}

test('the limits themselves are accepted', () => {
  assert.equal(parseRule(`${'('.repeat(MAX_RULE_DEPTH)}any${')'.repeat(MAX_RULE_DEPTH)}`).source, 'any');
  assert.equal(parseRule(`${'NOT '.repeat(MAX_RULE_DEPTH)}any`).source, `${'NOT '.repeat(MAX_RULE_DEPTH)}any`);
  assert.equal(parseRule(`a:${'x'.repeat(MAX_RULE_LENGTH - 2)}`).source.length, MAX_RULE_LENGTH);
});

test('parseRule throws a ConfigError naming the setting, the value, the column and the fix', () => {
  const source = 'posts:write AND (owner';
  assert.throws(
    () => parseRule(source, { setting: 'permissions[2].rule' }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.code, 'config-invalid');
      assert.deepEqual(error.issues, [{ setting: 'permissions[2].rule', value: source, message: 'expected ")" at column 23', hint: 'close the "(" opened at column 17' }]);
      assert.match(error.message, /permissions\[2\]\.rule = "posts:write AND \(owner": expected "\)" at column 23\n {4}fix: close/);
      return true;
    },
  );
  assert.throws(() => parseRule('ownr'), (error: unknown) => error instanceof ConfigError && error.issues[0]!.setting === 'rule');
});

test('built-in rules are shared: "readonly" is isAuthenticatedOrReadOnly', () => {
  assert.equal(parseRule('READONLY'), isAuthenticatedOrReadOnly);
});

test('options: the admin role, the owner field, custom rules by name', () => {
  assert.equal(outcome(checkRequest(parseRule('admin', { adminRole: 'staff' }), ctx('staff'))), 'allow');
  assert.equal(outcome(checkRequest(parseRule('admin', { adminRole: 'staff' }), ctx('admin'))), '403 permission-denied');
  const byAuthor = parseRule('owner', { ownerOf: ownerField('author') });
  assert.equal(byAuthor.objectRefusal(ctx('alice'), { author: 'alice', owner: 'bob' }), undefined);
  const published = rule({ name: 'published', object: (_c, o) => (o as { published?: boolean }).published === true });
  const parsed = parseRule('PUBLISHED or owner', { rules: { published } });
  assert.equal(parsed.source, 'published OR owner');
  assert.equal(parsed.objectRefusal(ctx('bob'), { owner: 'alice', published: true }), undefined);
  const typo = parseRuleSource('publishd', { rules: { published } });
  assert.ok(!typo.ok && typo.hint === 'did you mean "published"?');
  assert.throws(() => parseRule('x', { rules: { 'a:b': published } }), TypeError);
  assert.throws(() => parseRule('x', { rules: { owner: published } }), TypeError);
  assert.throws(() => parseRule('x', { rules: { AND: published } }), TypeError);
});

// --- Properties ---------------------------------------------------------------------------------

function parseOrConfigError(source: string): void {
  try {
    parseRule(source);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `${JSON.stringify(source)} threw ${String(error)}`);
    assert.match(error.issues[0]!.message, /column|empty|characters long/);
  }
}

function expectRuleOrConfigError(source: string): void {
  const elapsed = () => {
    const started = performance.now();
    parseOrConfigError(source);
    return performance.now() - started;
  };
  // Slow twice in a row: input-driven (backtracking, deep recursion), not a GC pause or a busy machine.
  assert.ok(elapsed() < 100 || elapsed() < 100, `${JSON.stringify(source.slice(0, 40))} took too long`);
}

const pieces = fc.constantFrom('(', ')', ' ', 'AND', 'and', 'OR', 'NOT', 'not', 'owner', 'admin', 'any', 'posts:read', 'role:', 'scope:', 'x', '&&', '"', ':', '\t', 'ownr', 'é');

test('property: any string is a Rule or a ConfigError, never another exception', () => {
  fc.assert(fc.property(fc.string({ maxLength: 200 }), expectRuleOrConfigError), { numRuns: 1000 });
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 100 }), expectRuleOrConfigError), { numRuns: 300 });
  fc.assert(fc.property(fc.array(pieces, { maxLength: 60 }).map((parts) => parts.join(' ')), expectRuleOrConfigError), { numRuns: 2000 });
  fc.assert(fc.property(fc.array(pieces, { maxLength: 80 }).map((parts) => parts.join('')), expectRuleOrConfigError), { numRuns: 1000 });
});

test('property: deep or long input is refused quickly, without a stack overflow', () => {
  for (const source of ['('.repeat(MAX_RULE_LENGTH), '('.repeat(1_000_000), `${'NOT '.repeat(249)}any`, `${'(NOT '.repeat(199)}`, `${'owner AND '.repeat(99)}owner`]) {
    expectRuleOrConfigError(source);
  }
  fc.assert(fc.property(fc.integer({ min: 0, max: 300 }), fc.constantFrom('(', 'NOT ', '(NOT ', 'NOT ('), (n, open) => expectRuleOrConfigError(`${open.repeat(n)}any${')'.repeat(n)}`)));
});

// Random rule trees, written with random case and redundant parentheses, against a reference meaning
// of the grammar: the whole rule on an object is plain boolean logic over the atoms.
type Tree = { atom: string } | { op: 'and' | 'or'; left: Tree; right: Tree } | { op: 'not'; operand: Tree };

const tree = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('any', 'deny', 'authenticated', 'readonly', 'safe', 'admin', 'owner', 'role:editor', 'posts:read', 'scope:posts:write').map((atom) => ({ atom })),
    fc.record({ op: fc.constantFrom('and' as const, 'or' as const), left: tie('tree'), right: tie('tree') }),
    fc.record({ op: fc.constant('not' as const), operand: tie('tree') }),
  ),
})).tree;

function write(t: Tree, upper: boolean): string {
  if ('atom' in t) return upper ? t.atom.replace(/^[a-z]+$/, (w) => w.toUpperCase()) : t.atom;
  if (t.op === 'not') return `${upper ? 'NOT' : 'not'} (${write(t.operand, !upper)})`;
  return `(${write(t.left, upper)} ${upper ? t.op.toUpperCase() : t.op} ${write(t.right, !upper)})`;
}

function meaning(t: Tree, c: PermissionContext, object: { owner?: string }): boolean {
  const p = c.principal;
  if ('atom' in t) {
    switch (t.atom) {
      case 'any': return true;
      case 'deny': return false;
      case 'authenticated': return p !== undefined;
      case 'readonly': return p !== undefined || isSafeMethod(c.method);
      case 'safe': return isSafeMethod(c.method);
      case 'admin': return p?.roles.has('admin') ?? false;
      case 'owner': return p !== undefined && object.owner === p.subject;
      case 'role:editor': return p?.roles.has('editor') ?? false;
      default: return p?.scopes.has(t.atom.replace(/^scope:/, '')) ?? false;
    }
  }
  if (t.op === 'not') return !meaning(t.operand, c, object);
  return t.op === 'and' ? meaning(t.left, c, object) && meaning(t.right, c, object) : meaning(t.left, c, object) || meaning(t.right, c, object);
}

test('property: a parsed rule means what the grammar says, and its request part never refuses what the object part would allow', () => {
  const contexts = Object.keys(callers).flatMap((caller) => ['GET', 'POST', 'DELETE'].map((method) => ctx(caller, method)));
  const objects = [{ owner: 'alice' }, { owner: 'eve' }, {}];
  fc.assert(
    fc.property(tree, fc.boolean(), (t, upper) => {
      const parsed = parseRule(write(t, upper));
      assert.equal(parseRule(parsed.source).source, parsed.source);
      for (const c of contexts) {
        const requestAllows = parsed.requestRefusal(c) === undefined;
        for (const object of objects) {
          const allows = parsed.objectRefusal(c, object) === undefined;
          assert.equal(allows, meaning(t, c, object), `${parsed.source} for ${c.principal?.subject ?? 'anonymous'} ${c.method} ${JSON.stringify(object)}`);
          assert.ok(requestAllows || !allows, `request part of ${parsed.source} refuses what the object part allows`);
        }
      }
    }),
    { numRuns: 500 },
  );
});
