import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compilePythonRegex, isEndAnchored, unescapedDomainDots } from '../../src/cors/pythonRegex.ts';

function compile(source: string, mode: 'fullmatch' | 'match'): RegExp {
  const r = compilePythonRegex(source, mode);
  assert.ok(r.ok, source);
  return r.regex;
}

test('origin regexes match the whole origin, unlike re.match', () => {
  const re = compile('^https://.*\\.example\\.com', 'fullmatch');
  assert.equal(re.test('https://a.example.com'), true);
  assert.equal(re.test('https://a.example.com.evil.net'), false);
  const unanchored = compile('https://[a-z]+\\.example\\.com', 'fullmatch');
  assert.equal(unanchored.test('xhttps://a.example.com'), false);
});

test('urlsRegex keeps re.match semantics: anchored at the start only', () => {
  const re = compile('^/api/', 'match');
  assert.equal(re.test('/api/posts/'), true);
  assert.equal(re.test('/v1/api/posts/'), false);
  const alternation = compile('/a|/b', 'match');
  assert.equal(alternation.test('/x/b'), false, 'both alternatives are anchored');
});

test('Python-only syntax is translated', () => {
  assert.equal(compile('(?i)^https://APP\\.example\\.com$', 'fullmatch').test('https://app.example.com'), true);
  assert.equal(compile('^https://(?P<sub>[a-z]+)\\.example\\.com\\Z', 'fullmatch').test('https://app.example.com'), true);
  assert.equal(compile('\\A/api/', 'match').test('/api/x'), true);
  const bad = compilePythonRegex('(?x) a b', 'fullmatch');
  assert.equal(bad.ok, false);
  assert.equal(compilePythonRegex('^(unclosed', 'fullmatch').ok, false);
});

test('anchoring and unescaped dots are detected for warnings', () => {
  assert.equal(isEndAnchored('^https://a\\.example\\.com$'), true);
  assert.equal(isEndAnchored('^https://a\\.example\\.com\\Z'), true);
  assert.equal(isEndAnchored('^https://(a|b)\\.example\\.com$)'), true);
  assert.equal(isEndAnchored('^https://a\\.example\\.com'), false);
  assert.equal(isEndAnchored('^https://a\\.example\\.com\\$'), false);
  assert.deepEqual(unescapedDomainDots('^https://.*.example.com$'), [11, 19]);
  assert.deepEqual(unescapedDomainDots('^https://.*\\.example\\.com$'), []);
  assert.deepEqual(unescapedDomainDots('^https://[a-z.]+\\.example\\.com$'), []);
});
