import { existsSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { ROOT } from './es.js';

/**
 * The tests' Python tools, from the pinned venv of scripts/py-venv.sh (.cache/py-venv). Absent locally,
 * a test skips and says how to get them; under CI (which runs that script) their absence fails.
 */

export const PY_BIN = `${ROOT}.cache/py-venv/bin`;

/** The path of a tool of the venv, or a skip reason; throws under CI, where the venv must be there. */
export function pythonTool(name: 'frictionless' | 'python'): { path: string } | { skip: string } {
  const path = `${PY_BIN}/${name}`;
  if (existsSync(path)) return { path };
  const reason = `${path} is missing: run bash scripts/py-venv.sh (pinned frictionless, pandas, duckdb)`;
  if (process.env.CI) throw new Error(`${reason} — .ci/run installs it, so CI must have it`);
  return { skip: reason };
}

/** Runs a tool, collecting its output (no shell; killed after `timeoutMs`). */
export function runTool(
  path: string,
  args: readonly string[],
  options: { cwd: string; timeoutMs?: number },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      path,
      args,
      { cwd: options.cwd, timeout: options.timeoutMs ?? 300_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
