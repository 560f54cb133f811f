// `planet admin create USER` (password on stdin, never argv: argv shows up in `ps` and shell
// history) and `planet admin token USER` (prints a new API token once; only its digest is kept).
import { hashPassword, newApiToken, passwordProblem, sha256Hex } from '../admin/passwords.js';
import { findAdminByName, insertAdmin, insertApiToken, setAdminPassword } from '../db/admins.js';
import { recordAudit } from '../db/audit.js';
import { EXIT_FAILURE, EXIT_OK, UsageError, openPlanet, parseCommandArgs, type CliIo } from './common.js';

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

function oneUser(positionals: string[], usage: string): string {
  const [user, ...extra] = positionals;
  if (!user || extra.length) throw new UsageError(`expected exactly one USER\nusage: ${usage}`);
  if (!USERNAME.test(user)) throw new UsageError(`USER must be 1-64 letters, digits, ".", "_", "@" or "-", starting with a letter or digit`);
  return user;
}

/** One trailing newline is what `echo` or a here-string adds; anything else is part of the password. */
function passwordFromStdin(text: string): string {
  return text.replace(/\r?\n$/, '');
}

export async function adminCreate(args: string[], io: CliIo): Promise<number> {
  const usage = 'planet admin create USER [--replace]   (password on standard input)';
  const { values, positionals } = parseCommandArgs(args, { replace: { type: 'boolean' } }, usage, 'Creates an admin of the web UI and the API, with the password read from standard input.\n  --replace        set a new password for an existing admin and end their sessions');
  const user = oneUser(positionals, usage);
  const password = passwordFromStdin(await io.readStdin());
  const problem = passwordProblem(password);
  if (problem) {
    io.err(`planet admin create: ${problem}; pipe it on standard input, e.g. printf '%s' "$PASSWORD" | planet admin create ${user}`);
    return EXIT_FAILURE;
  }
  const { db } = openPlanet(values.config, io);
  try {
    const existing = findAdminByName(db, user);
    if (existing && !values.replace) {
      io.err(`planet admin create: admin "${existing.username}" already exists (use --replace to set a new password)`);
      return EXIT_FAILURE;
    }
    const hash = await hashPassword(password);
    db.transaction(() => {
      if (existing) {
        setAdminPassword(db, existing.id, hash, { endSessions: true });
        recordAudit(db, { actor: existing.username, via: 'cli', action: 'admin.password', summary: `password of "${existing.username}" replaced; sessions ended` });
      } else {
        insertAdmin(db, user, hash);
        recordAudit(db, { actor: user, via: 'cli', action: 'admin.create', summary: `admin "${user}" created` });
      }
    })();
    io.out(existing ? `password of admin "${existing.username}" replaced` : `admin "${user}" created`);
    return EXIT_OK;
  } finally {
    db.close();
  }
}

export async function adminToken(args: string[], io: CliIo): Promise<number> {
  const usage = 'planet admin token USER';
  const { values, positionals } = parseCommandArgs(args, {}, usage, 'Prints a new API token for USER (send it as "Authorization: Bearer TOKEN"); it is shown only once.');
  const user = oneUser(positionals, usage);
  const { db } = openPlanet(values.config, io);
  try {
    const admin = findAdminByName(db, user);
    if (!admin) {
      io.err(`planet admin token: no admin "${user}" (create one with planet admin create ${user})`);
      return EXIT_FAILURE;
    }
    const token = newApiToken();
    db.transaction(() => {
      const id = insertApiToken(db, admin.id, sha256Hex(token));
      recordAudit(db, { actor: admin.username, via: 'cli', action: 'token.create', summary: `API token #${id} created for "${admin.username}"` });
    })();
    io.out(token);
    return EXIT_OK;
  } finally {
    db.close();
  }
}
