// The administration commands, each acting on the same database the server uses:
//   gatehouse migrate
//   gatehouse users create <username> [--admin] [--scopes a,b] [--password-stdin]
//   gatehouse users list | deactivate <username>
//   gatehouse keys create --name N [--owner U] [--scopes a,b] [--expires 90d] [--allowed-ips cidr,...]
//   gatehouse keys list | revoke <id> [--reason R] | rotate <id> [--grace 1d]
//   gatehouse token --user U [--lifetime 1h]

import { randomBytes } from 'node:crypto';
import { InvalidArgumentError, type Command } from 'commander';
import { apiKeyStatus, type ApiKeyRecord } from '../auth/apiKeys/apiKeyRecord.ts';
import { parseDuration } from '../config/serverSchema.ts';
import { openDatabase } from '../store/database.ts';
import { migrateToLatest } from '../store/migrations.ts';
import type { User } from '../store/users.ts';
import { keyJson } from '../server/routes/keys.ts';
import { disableUserKeys, userJson } from '../server/routes/users.ts';
import { databaseUrl } from '../server/serverContext.ts';
import type { ServerContext } from '../server/serverContext.ts';
import { list, loadCliConfig, print, readStdin, withCommonOptions, withContext, type CommonOptions } from './cliContext.ts';

export const PASSWORD_ENV = 'GATEHOUSE_PASSWORD';

function seconds(value: string): number {
  const parsed = parseDuration(/^\d+$/.test(value) ? Number(value) : value);
  if (typeof parsed === 'string') throw new InvalidArgumentError(parsed);
  return parsed;
}

/** A user by name or id, or a clear failure. */
async function findUser(ctx: ServerContext, name: string): Promise<User> {
  const user = /^\d+$/.test(name) ? await ctx.users.get(Number(name)) : await ctx.users.findByUsername(name);
  if (user === undefined) throw new Error(`no user "${name}" (gatehouse users list shows them)`);
  return user;
}

function keyLine(record: ApiKeyRecord): string {
  const status = apiKeyStatus(record, Date.now());
  return `${record.id}  ${record.prefix}…  ${status.padEnd(8)}  owner ${record.owner}  "${record.name}"  scopes: ${record.scopes.join(' ') || '-'}${record.expiresAt ? `  expires ${record.expiresAt.toISOString()}` : ''}`;
}

export function registerAdminCommands(program: Command): void {
  withCommonOptions(program.command('migrate').description('bring the database to the newest schema (serve does this at start too)')).action(async (options: CommonOptions) => {
    const config = loadCliConfig(options);
    const database = openDatabase(databaseUrl(config, process.env), { setting: process.env.DATABASE_URL ? 'DATABASE_URL' : 'database.url' });
    try {
      const applied = await migrateToLatest(database.db);
      print(options, { dialect: database.dialect, applied }, () => (applied.length === 0 ? `${database.dialect}: already up to date` : `${database.dialect}: applied ${applied.join(', ')}`));
    } finally {
      await database.close();
    }
  });

  const users = program.command('users').description('manage the users who log in at POST /api/token/');
  withCommonOptions(users.command('create <username>').description('create a user; the password comes from --password-stdin, $GATEHOUSE_PASSWORD, or is generated and printed once'))
    .option('--admin', 'give the user the admin role')
    .option('--scopes <scopes>', 'scopes put into the user\'s access tokens, comma-separated', list)
    .option('--password-stdin', 'read the password from standard input')
    .action(async (username: string, options: CommonOptions & { admin?: boolean; scopes?: string[]; passwordStdin?: boolean }) => {
      const given = options.passwordStdin ? await readStdin() : process.env[PASSWORD_ENV] || undefined;
      const password = given ?? randomBytes(12).toString('base64url');
      await withContext(options, async (ctx) => {
        const user = await ctx.users.create({ username, password, isAdmin: options.admin ?? false, scopes: options.scopes ?? [] });
        print(options, { ...userJson(user), ...(given === undefined ? { password } : {}) }, () => `created ${user.isAdmin ? 'admin' : 'user'} "${user.username}" (id ${user.id})${given === undefined ? `\npassword: ${password}   (shown once)` : ''}`);
      });
    });
  withCommonOptions(users.command('list').description('list users')).action(async (options: CommonOptions) => {
    await withContext(options, async (ctx) => {
      const { users: found } = await ctx.users.list({ limit: 1000 });
      print(options, found.map(userJson), () => found.map((u) => `${u.id}  ${u.username}${u.isAdmin ? '  admin' : ''}${u.isActive ? '' : '  (inactive)'}`).join('\n') || 'no users');
    });
  });
  withCommonOptions(users.command('deactivate <username>').description('stop a user logging in, and revoke every token they hold')).action(async (username: string, options: CommonOptions) => {
    await withContext(options, async (ctx) => {
      const user = await findUser(ctx, username);
      const updated = await ctx.users.update(user.id, { isActive: false });
      await ctx.tokens.revokeUser(user.id, 'user-disabled');
      const keys = await disableUserKeys(ctx, user.id);
      print(options, { ...userJson(updated), disabled_api_keys: keys }, () => `deactivated "${updated.username}"; their tokens are refused from now on${keys > 0 ? `, and their ${keys} API key(s) are disabled` : ''}`);
    });
  });

  const keys = program.command('keys').description('manage API keys (the key is shown once, at creation)');
  withCommonOptions(keys.command('create').description('create an API key'))
    .requiredOption('--name <name>', 'what the key is for')
    .option('--owner <user>', 'the user the key acts for (name or id); default: the first admin')
    .option('--scopes <scopes>', 'comma-separated scopes', list)
    .option('--expires <duration>', 'lifetime such as 90d or 12h (default: never)', seconds)
    .option('--allowed-ips <cidrs>', 'comma-separated addresses or CIDRs the key may be used from', list)
    .action(async (options: CommonOptions & { name: string; owner?: string; scopes?: string[]; expires?: number; allowedIps?: string[] }) => {
      await withContext(options, async (ctx) => {
        const owner = options.owner === undefined ? (await ctx.users.list({ limit: 1000 })).users.find((u) => u.isAdmin && u.isActive) : await findUser(ctx, options.owner);
        if (owner === undefined) throw new Error('no admin user to own the key: give --owner, or create one with gatehouse users create NAME --admin');
        const created = await ctx.apiKeys.create({
          name: options.name,
          owner: String(owner.id),
          scopes: options.scopes ?? [],
          expiresAt: options.expires === undefined ? null : new Date(Date.now() + options.expires * 1000),
          allowedIps: options.allowedIps ?? [],
        });
        print(options, { key: created.key, ...keyJson(created.record) }, () => `${keyLine(created.record)}\nkey: ${created.key}   (shown once: store it now)`);
      });
    });
  withCommonOptions(keys.command('list').description('list API keys')).action(async (options: CommonOptions) => {
    await withContext(options, async (ctx) => {
      const found = await ctx.apiKeys.list();
      print(options, found.map((r) => keyJson(r)), () => found.map(keyLine).join('\n') || 'no API keys');
    });
  });
  withCommonOptions(keys.command('revoke <id>').description('revoke an API key now'))
    .option('--reason <text>', 'why (kept with the key)', 'revoked with gatehouse keys revoke')
    .action(async (id: string, options: CommonOptions & { reason: string }) => {
      await withContext(options, async (ctx) => {
        const record = await ctx.apiKeys.revoke(id, options.reason);
        print(options, keyJson(record), () => `revoked ${keyLine(record)}`);
      });
    });
  withCommonOptions(keys.command('rotate <id>').description('issue a replacement key; the old one keeps working for the grace period'))
    .option('--grace <duration>', 'how long the old key still works (default 1d)', seconds, 86_400)
    .action(async (id: string, options: CommonOptions & { grace: number }) => {
      await withContext(options, async (ctx) => {
        const rotated = await ctx.apiKeys.rotate(id, options.grace);
        print(options, { key: rotated.key, ...keyJson(rotated.record), previous: keyJson(rotated.previous) }, () => `${keyLine(rotated.record)}\nkey: ${rotated.key}   (shown once)\nold key ${rotated.previous.id} works until ${rotated.previous.revokedAt?.toISOString()}`);
      });
    });

  withCommonOptions(program.command('token').description('print an access token for a user, for development'))
    .requiredOption('--user <user>', 'the user (name or id)')
    .option('--lifetime <duration>', 'how long it is valid (default: tokens.accessTokenLifetime)', seconds)
    .action(async (options: CommonOptions & { user: string; lifetime?: number }) => {
      await withContext(options, async (ctx) => {
        const user = await findUser(ctx, options.user);
        if (!user.isActive) throw new Error(`user "${user.username}" is inactive`);
        const issued = await ctx.tokens.accessToken(user, options.lifetime);
        print(options, { access: issued.token, expires_at: new Date(issued.expiresAt * 1000).toISOString(), user: user.username }, () => issued.token);
      });
    });
}
