// The revocation list shared through the database, on SQLite and PostgreSQL: two lists on one
// database stand for two processes; what one revokes the other refuses after its next poll.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SharedRevocationList } from '../../src/auth/jwt/sharedRevocation.ts';
import { captureLogger } from '../helpers/captureLogger.ts';
import { DIALECTS, useTestDatabase } from '../helpers/storeDatabases.ts';

const nowSeconds = () => Math.floor(Date.now() / 1000);

for (const dialect of DIALECTS) {
  describe(`shared revocation list on ${dialect}`, () => {
    const target = useTestDatabase(dialect, 'revocation');

    test('a jti revoked through one list is refused by the other after a poll, not before; the writer refuses it at once', async (t) => {
      const database = target.get(t);
      if (!database) return;
      const a = new SharedRevocationList({ db: database.db, logger: captureLogger() });
      const b = new SharedRevocationList({ db: database.db, logger: captureLogger() });
      await a.poll();
      await b.poll();
      const query = { jti: 'j1', subject: '7', issuer: 'gatehouse', issuedAt: nowSeconds() };
      await a.revokeToken('j1', nowSeconds() + 300, 'gatehouse');
      assert.equal(a.isRevoked(query), true);
      assert.equal(b.isRevoked(query), false, 'b has not polled yet');
      await b.poll();
      assert.equal(b.isRevoked(query), true);
      assert.equal(b.isRevoked({ ...query, jti: 'j2' }), false);
    });

    test('a subject cut-off: tokens issued before it refused, later ones accepted', async (t) => {
      const database = target.get(t);
      if (!database) return;
      const a = new SharedRevocationList({ db: database.db, logger: captureLogger() });
      const b = new SharedRevocationList({ db: database.db, logger: captureLogger() });
      const cutOff = nowSeconds();
      await a.revokeSubject('42', cutOff, 'gatehouse');
      await b.poll();
      assert.equal(b.isRevoked({ subject: '42', issuer: 'gatehouse', issuedAt: cutOff - 1 }), true);
      assert.equal(b.isRevoked({ subject: '42', issuer: 'gatehouse', issuedAt: cutOff }), false);
      assert.equal(b.isRevoked({ subject: '42', issuer: 'gatehouse' }), true, 'no iat cannot prove it came later');
      assert.equal(b.isRevoked({ subject: '43', issuer: 'gatehouse', issuedAt: cutOff - 1 }), false);
    });

    test('started lists follow on their own within the poll interval; a list started later loads what is in force', async (t) => {
      const database = target.get(t);
      if (!database) return;
      const a = new SharedRevocationList({ db: database.db, logger: captureLogger(), pollIntervalMs: 100 });
      const b = new SharedRevocationList({ db: database.db, logger: captureLogger(), pollIntervalMs: 100 });
      await a.start();
      await b.start();
      try {
        await a.revokeToken('j3', nowSeconds() + 300);
        const started = Date.now();
        while (!b.isRevoked({ jti: 'j3', subject: 's' }) && Date.now() - started < 2000) await new Promise((r) => setTimeout(r, 20));
        assert.ok(b.isRevoked({ jti: 'j3', subject: 's' }), 'seen within 2 s');
        assert.ok(Date.now() - started < 1000, `seen in ${Date.now() - started} ms`);
        const late = new SharedRevocationList({ db: database.db, logger: captureLogger() });
        await late.poll();
        assert.equal(late.isRevoked({ jti: 'j1', subject: '7', issuer: 'gatehouse' }), true, 'earlier rows are loaded');
      } finally {
        await a.stop();
        await b.stop();
      }
    });

    test('expired jti rows are purged; cut-offs are kept', async (t) => {
      const database = target.get(t);
      if (!database) return;
      const list = new SharedRevocationList({ db: database.db, logger: captureLogger(), retainSeconds: 0 });
      await list.revokeToken('old', nowSeconds() - 10);
      assert.ok((await list.purge()) >= 1);
      const left = await database.db.selectFrom('revocations').select(['kind', 'value']).execute();
      assert.equal(left.some((r) => r.value === 'old'), false);
      assert.equal(left.some((r) => r.kind === 'subject'), true);
    });

    test('a database that stops answering: the last known list stays in force and the log says so once', async (t) => {
      const database = target.get(t);
      if (!database) return;
      const logger = captureLogger();
      const broken = { selectFrom: () => { throw new Error('connection refused'); } } as never;
      const list = new SharedRevocationList({ db: broken, logger });
      await list.poll();
      await list.poll();
      assert.equal(logger.entries.filter((e) => e.level === 'error').length, 1);
      assert.equal(list.isRevoked({ subject: 'x' }), false);
    });
  });
}
