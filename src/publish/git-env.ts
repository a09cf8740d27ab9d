/**
 * The environment git runs in: a short allowlist of what git needs, never netlog's own environment.
 * netlog's process holds the hashing key (NETLOG_HASH_KEY), Elasticsearch credentials (ES_API_KEY,
 * ES_PASSWORD, a token in ES_URL) and whatever else cron's env file exports; git, and anything git
 * starts (ssh, a credential helper, and — were they not disabled — hooks), gets none of it. Pure.
 *
 * Kept, and why:
 * - PATH (find git, ssh, credential helpers), HOME (~/.gitconfig, ~/.ssh/known_hosts and keys),
 *   USER/LOGNAME (ssh's default user name), TMPDIR, XDG_CONFIG_HOME (~/.config/git/config);
 * - GIT_CONFIG_GLOBAL / GIT_CONFIG_SYSTEM / GIT_CONFIG_NOSYSTEM: which config files git reads (CI
 *   runners and tests point them elsewhere);
 * - pushing over ssh: SSH_AUTH_SOCK (a key held by ssh-agent), GIT_SSH_COMMAND / GIT_SSH /
 *   GIT_SSH_VARIANT (a deploy key: `ssh -i /etc/netlog/deploy_key`);
 * - pushing over https: GIT_ASKPASS (a program that answers for credentials), the proxy variables, and
 *   the CA bundle variables (GIT_SSL_CAINFO, GIT_SSL_CAPATH, SSL_CERT_FILE, SSL_CERT_DIR).
 * Never kept, whatever the allowlist says: anything starting with NETLOG_ or ES_, and the variables
 * that would point git at another repository (GIT_DIR, GIT_WORK_TREE, GIT_INDEX_FILE…: not listed).
 * Set by netlog: no prompts, no editor, no pager, C locale (its messages are parsed), literal pathspecs.
 */

const PASSED_THROUGH: readonly string[] = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'TMPDIR',
  'XDG_CONFIG_HOME',
  'GIT_CONFIG_GLOBAL',
  'GIT_CONFIG_SYSTEM',
  'GIT_CONFIG_NOSYSTEM',
  'SSH_AUTH_SOCK',
  'GIT_SSH_COMMAND',
  'GIT_SSH',
  'GIT_SSH_VARIANT',
  'GIT_ASKPASS',
  'GIT_SSL_CAINFO',
  'GIT_SSL_CAPATH',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'all_proxy',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'ALL_PROXY',
];

/** Names that never reach git, even if someone adds them to the list above. */
const NEVER = /^(NETLOG_|ES_)/;

/** The environment of every git command netlog runs. */
export function gitEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of PASSED_THROUGH) {
    const value = env[name];
    if (value !== undefined && !NEVER.test(name)) out[name] = value;
  }
  return {
    ...out,
    // Never wait for a human: no password prompt, no ssh question, no editor, no pager.
    GIT_TERMINAL_PROMPT: '0',
    GIT_SSH_COMMAND: env.GIT_SSH_COMMAND ?? 'ssh -o BatchMode=yes',
    GIT_EDITOR: 'true',
    GIT_PAGER: 'cat',
    GIT_LITERAL_PATHSPECS: '1',
    LC_ALL: 'C',
  };
}

/**
 * `-c` settings on every git command: the author (CI has no global identity; left out for commands
 * that make no commit), unquoted paths, and no program the data repository's own config could name:
 * hooks (`core.hooksPath=/dev/null`: a pre-commit hook in `.git/hooks` does not run for netlog's
 * commits) and the fsmonitor.
 */
export function gitConfigArgs(author?: { name: string; email: string }): string[] {
  return [
    ...(author ? [`user.name=${author.name}`, `user.email=${author.email}`] : []),
    'core.quotepath=off',
    'core.hooksPath=/dev/null',
    'core.fsmonitor=false',
  ];
}
