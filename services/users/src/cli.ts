// `pnpm users add|disable|enable|reset`: the same rules as the Users page, for an operator with a
// shell when no administrator can sign in (forgotten password, the last administrator deactivated).
import { HttpError } from '@enchilada/core';
import { ROLES } from './repository.js';
import { INVITATION_HOURS, type UserService } from './service.js';

/** Where the links the CLI prints start: PUBLIC_URL, else web on this machine. */
export interface CliLinks {
  readonly publicUrl: string | null;
  readonly webPort: number;
}

export const USAGE = `usage: pnpm users add <name> [${ROLES.join('|')}]   create a user (default editor); prints a one-time password
       pnpm users add <name> [role] --invite [--base-url URL]
                                                  … or an invitation link (${INVITATION_HOURS} h, once) where they choose it;
                                                  the link starts with --base-url, else PUBLIC_URL, else http://localhost:WEB_PORT
       pnpm users disable <name>                  deactivate; their sessions end at once
       pnpm users enable <name>                   reactivate
       pnpm users reset <name>                    new one-time password; their sessions end`;

/** Runs one command; returns the process exit code. Passwords go to `out`, problems to `err`. */
export async function usersCommand(
  users: UserService,
  argv: readonly string[],
  out: (line: string) => void,
  err: (line: string) => void,
  links: CliLinks = { publicUrl: null, webPort: 5000 },
): Promise<number> {
  const args = [...argv];
  const invite = take(args, '--invite');
  const baseIndex = args.indexOf('--base-url');
  let base = links.publicUrl ?? `http://localhost:${links.webPort}`;
  if (baseIndex >= 0) {
    const url = args[baseIndex + 1];
    if (!url || !/^https?:\/\/[^\s/]+/.test(url)) {
      err('enchilada users: --base-url needs an http(s) URL, such as https://ml.example.org');
      return 2;
    }
    base = url.replace(/\/+$/, '');
    args.splice(baseIndex, 2);
  }
  const [command, name, role] = args;
  try {
    if (command === 'add' && name && args.length <= 3 && invite) {
      const { token, expiresAt } = await users.invite(name, role ?? 'editor');
      out(
        `invited ${name} (${role ?? 'editor'}); send them this link, shown once — it works once, until ${expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC:`,
      );
      out(`${base}/invitations/${token}`);
      return 0;
    }
    if (invite || baseIndex >= 0) {
      err(USAGE);
      return 2;
    }
    if (command === 'add' && name && args.length <= 3) {
      const { password } = await users.create(name, role ?? 'editor');
      out(
        `created ${name} (${role ?? 'editor'}); one-time password, shown once — they choose their own at first sign-in:`,
      );
      out(password);
      return 0;
    }
    if (command === 'disable' && name && args.length === 2) {
      await users.deactivate(await users.idOf(name));
      out(`deactivated ${name}; their sessions have ended`);
      return 0;
    }
    if (command === 'enable' && name && args.length === 2) {
      await users.reactivate(await users.idOf(name));
      out(`reactivated ${name}`);
      return 0;
    }
    if (command === 'reset' && name && args.length === 2) {
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

/** Removes a flag from `args`; true when it was there. */
function take(args: string[], flag: string): boolean {
  const i = args.indexOf(flag);
  if (i < 0) return false;
  args.splice(i, 1);
  return true;
}
