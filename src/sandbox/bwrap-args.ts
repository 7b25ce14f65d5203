// Pure: the bubblewrap command line for one sandboxed run. Everything the program can see is
// listed here, so a review of containment is a review of this file.
import { posix } from 'node:path';
import type { SandboxRequest } from './sandbox.ts';

/** What the host looks like where it matters: which top-level dirs are symlinks, which /etc files exist. */
export interface HostLayout {
  /** e.g. { '/bin': 'usr/bin' } on merged-/usr systems; absent entries are real directories or missing. */
  symlinks: Readonly<Record<string, string>>;
  /** Top-level system directories that exist as real directories (bound read-only). */
  directories: readonly string[];
  /** The curated /etc entries that exist on this host. */
  etc: readonly string[];
}

export const SANDBOX_WORKSPACE = '/workspace';
export const SANDBOX_HOME = `${SANDBOX_WORKSPACE}/.home`;

/** System paths made visible read-only, when the host has them. */
export const SYSTEM_PATHS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/opt'] as const;

/** The only /etc entries a program sees: enough for TLS, user names, DNS (when allowed) and the loader. */
export const ETC_ALLOWLIST = [
  '/etc/ssl',
  '/etc/ca-certificates',
  '/etc/passwd',
  '/etc/group',
  '/etc/hosts',
  '/etc/ld.so.cache',
  '/etc/ld.so.conf',
  '/etc/ld.so.conf.d',
  '/etc/nsswitch.conf',
  '/etc/alternatives',
  '/etc/localtime',
] as const;

export const NETWORK_ETC = ['/etc/resolv.conf'] as const;

/** Variables every sandboxed program gets; nothing else from the worker's environment enters. */
export function baseEnvironment(workspace: string = SANDBOX_WORKSPACE): Record<string, string> {
  return {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    HOME: `${workspace}/.home`,
    LANG: 'C.UTF-8',
    TMPDIR: '/tmp',
    // Tool caches land in the workspace, the one writable place, and go with it.
    XDG_CACHE_HOME: `${workspace}/.cache`,
    npm_config_cache: `${workspace}/.cache/npm`,
    PIP_CACHE_DIR: `${workspace}/.cache/pip`,
    GOCACHE: `${workspace}/.cache/go-build`,
    CARGO_HOME: `${workspace}/.cache/cargo`,
    CI: 'true',
  };
}

/** The base environment plus the request's variables, whose names are checked. */
export function sandboxEnvironment(request: Pick<SandboxRequest, 'env'>, workspace?: string): Record<string, string> {
  const env = { ...baseEnvironment(workspace), ...request.env };
  for (const name of Object.keys(env)) {
    if (!ENV_NAME.test(name)) throw new Error(`env: ${JSON.stringify(name)} is not a valid variable name`);
  }
  return env;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The directory inside the sandbox to start in; refuses anything that would leave the workspace. */
export function sandboxCwd(cwd: string | undefined): string {
  if (cwd === undefined || cwd === '' || cwd === '.') return SANDBOX_WORKSPACE;
  const joined = posix.normalize(posix.join(SANDBOX_WORKSPACE, cwd));
  if (posix.isAbsolute(cwd) || (joined !== SANDBOX_WORKSPACE && !joined.startsWith(`${SANDBOX_WORKSPACE}/`))) {
    throw new Error(`cwd must be a path inside the workspace (got ${JSON.stringify(cwd)})`);
  }
  return joined;
}

export function bwrapArgs(request: SandboxRequest, host: HostLayout): string[] {
  if (request.argv.length === 0) throw new Error('argv must name a program');
  const args = [
    // Namespaces: nothing shared but (optionally) the network; no nested user namespaces, no
    // capabilities, a new session (no TIOCSTI into the worker's terminal).
    '--unshare-all',
    '--unshare-user',
    '--disable-userns',
    ...(request.network ? ['--share-net'] : []),
    '--die-with-parent',
    '--new-session',
    '--cap-drop',
    'ALL',
  ];
  for (const path of SYSTEM_PATHS) {
    const target = host.symlinks[path];
    if (target !== undefined) args.push('--symlink', target, path);
    else if (host.directories.includes(path)) args.push('--ro-bind', path, path);
  }
  // DNS configuration only matters, and is only shown, when the network is allowed.
  const etc = host.etc.filter((path) => request.network || !(NETWORK_ETC as readonly string[]).includes(path));
  for (const path of etc) args.push('--ro-bind', path, path);
  args.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp');
  args.push('--bind', request.workspace, SANDBOX_WORKSPACE);
  args.push('--dir', SANDBOX_HOME);
  // Everything not mounted above (the root itself) becomes read-only.
  args.push('--remount-ro', '/');
  args.push('--chdir', sandboxCwd(request.cwd));
  args.push('--clearenv');
  for (const [name, value] of Object.entries(sandboxEnvironment(request))) args.push('--setenv', name, value);
  args.push('--', ...request.argv);
  return args;
}
