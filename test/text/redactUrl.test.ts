// Connection URLs in messages and logs: the password hidden, everything else kept.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDatabase } from '../../src/store/database.ts';
import { redactUrlPassword } from '../../src/text/redactUrl.ts';

const cases: [string, string][] = [
  ['postgres://gatehouse:s3cret@db.internal:5432/gatehouse', 'postgres://gatehouse:***@db.internal:5432/gatehouse'],
  ['redis://:s3cret@cache.internal:6379', 'redis://:***@cache.internal:6379'],
  ['rediss://default:p%40ss:word@cache:6380/0', 'rediss://default:***@cache:6380/0'],
  ['postgres://gatehouse@db.internal/gatehouse', 'postgres://gatehouse@db.internal/gatehouse'],
  ['redis://127.0.0.1:6379', 'redis://127.0.0.1:6379'],
  ['sqlite:./gatehouse.db', 'sqlite:./gatehouse.db'],
];
for (const [url, shown] of cases) test(`${url} → ${shown}`, () => assert.equal(redactUrlPassword(url), shown));

test('a database URL Gatehouse cannot open is named in the error without its password', () => {
  assert.throws(() => openDatabase('mysql://root:s3cret@db/app'), (error: Error) => error.message.includes('mysql://root:***@db/app') && !error.message.includes('s3cret'));
});
