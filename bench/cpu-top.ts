/**
 * The top self-time functions of a V8 CPU profile (`node --cpu-prof`), for finding where netlog's
 * client-side time goes. "(idle)" is the time the process waited (for Elasticsearch, mostly).
 *
 *   node --import tsx bench/cpu-top.ts FILE.cpuprofile [N]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time in ms per function (name, file and line), largest first. */
export function selfTimes(profile: Profile): { total: number; rows: [string, number][] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)!.callFrame;
    const file = frame.url.replace(/.*node_modules\//, '').replace(/.*\/(dist|src)\//, '$1/');
    const name =
      `${frame.functionName || '(anonymous)'} ${file}${file ? `:${frame.lineNumber + 1}` : ''}`.slice(0, 110);
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    self.set(name, (self.get(name) ?? 0) + ms);
    total += ms;
  });
  return { total, rows: [...self].sort((a, b) => b[1] - a[1]) };
}

if (process.argv[1]?.endsWith('cpu-top.ts')) {
  const [file, n = '25'] = process.argv.slice(2);
  if (!file) throw new Error('usage: cpu-top.ts FILE.cpuprofile [N]');
  const { total, rows } = selfTimes(JSON.parse(readFileSync(file, 'utf8')) as Profile);
  const idle = rows.find(([name]) => name.startsWith('(idle)'))?.[1] ?? 0;
  console.log(
    `profile ${(total / 1000).toFixed(2)} s, idle (waiting) ${(idle / 1000).toFixed(2)} s, busy ${((total - idle) / 1000).toFixed(2)} s`,
  );
  for (const [name, ms] of rows.slice(0, Number(n))) {
    console.log(
      `${ms.toFixed(0).padStart(7)} ms ${((ms / (total - idle)) * 100).toFixed(1).padStart(5)} % of busy  ${name}`,
    );
  }
}
