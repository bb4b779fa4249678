import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstRefusedHeader } from '../../src/cors/requestHeaderList.ts';

const allowed = new Set(['content-type', 'x-requested-with', 'authorization']);
const isAllowed = (name: string) => allowed.has(name);

test('Access-Control-Request-Headers lists are checked name by name', () => {
  const cases: [string, string | undefined][] = [
    ['content-type', undefined],
    ['authorization,content-type', undefined],
    ['Content-Type , X-Requested-With', undefined],
    [' , ,content-type,,', undefined],
    ['', undefined],
    ['content-type,x-secret', 'x-secret'],
    ['X-Secret', 'x-secret'],
    ['content-type,\tx-other\t', 'x-other'],
  ];
  for (const [value, expected] of cases) assert.equal(firstRefusedHeader(value, isAllowed), expected, JSON.stringify(value));
});

test('a huge list is scanned once', () => {
  const names = Array.from({ length: 50_000 }, () => 'content-type').join(',');
  let calls = 0;
  const refused = firstRefusedHeader(`${names},x-late`, (n) => {
    calls++;
    return isAllowed(n);
  });
  assert.equal(refused, 'x-late');
  assert.equal(calls, 50_001);
  assert.equal(firstRefusedHeader(','.repeat(200_000) + ' '.repeat(200_000), isAllowed), undefined);
});
