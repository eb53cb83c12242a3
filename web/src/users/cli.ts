// `pnpm users add|disable|enable|reset`: the same rules as the Users page, for an operator with a
// shell when no administrator can sign in (forgotten password, the last administrator deactivated).
import { HttpError } from '@enchilada/core';
import { ROLES } from './repository.js';
import type { UserService } from './service.js';

export const USAGE = `usage: pnpm users add <name> [${ROLES.join('|')}]   create a user (default editor); prints a one-time password
       pnpm users disable <name>                  deactivate; their sessions end at once
       pnpm users enable <name>                   reactivate
       pnpm users reset <name>                    new one-time password; their sessions end`;

/** Runs one command; returns the process exit code. Passwords go to `out`, problems to `err`. */
export async function usersCommand(users: UserService, argv: readonly string[], out: (line: string) => void, err: (line: string) => void): Promise<number> {
  const [command, name, role] = argv;
  try {
    if (command === 'add' && name && argv.length <= 3) {
      const { password } = await users.create(name, role ?? 'editor');
      out(`created ${name} (${role ?? 'editor'}); one-time password, shown once — they choose their own at first sign-in:`);
      out(password);
      return 0;
    }
    if (command === 'disable' && name && argv.length === 2) {
      await users.deactivate(await users.idOf(name));
      out(`deactivated ${name}; their sessions have ended`);
      return 0;
    }
    if (command === 'enable' && name && argv.length === 2) {
      await users.reactivate(await users.idOf(name));
      out(`reactivated ${name}`);
      return 0;
    }
    if (command === 'reset' && name && argv.length === 2) {
      const { password } = await users.resetPassword(await users.idOf(name));
      out(`new one-time password for ${name}, shown once — they choose their own at next sign-in:`);
      out(password);
      return 0;
    }
    err(USAGE);
    return 2;
  } catch (e) {
    if (e instanceof HttpError) {
      err(`enchilada users: ${e.message}`);
      return 1;
    }
    throw e;
  }
}
