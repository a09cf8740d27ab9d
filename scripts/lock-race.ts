import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { race, type Contender } from '../test/helpers/lock-contender.js';

/**
 * The stale-lock takeover race, many times over (not part of CI: it takes minutes). Each round: a run
 * takes the lock and is SIGKILLed, then `RACERS` processes, all loaded, try the lock at once. A round
 * is good when exactly one wins, the lock file names the winner, the winner says it replaced the dead
 * run's lock (the run that judged it stale is the one that holds it), every other racer exits 4, and
 * nothing (temporary file, guard) is left in the data directory.
 *
 *   npm run build && node --import tsx scripts/lock-race.ts [ROUNDS=100] [RACERS=6] [LOCK_JS]
 *
 * LOCK_JS: another build's dist/store/lock.js to race instead of this one (a before/after figure).
 */

const rounds = Number(process.argv[2] ?? 100);
const racers = Number(process.argv[3] ?? 6);
const lockModule = process.argv[4];
const all: Contender[] = [];
const stopAll = () => all.forEach((c) => c.child.exitCode === null && c.child.kill('SIGKILL'));
process.on('exit', stopAll);

const root = await mkdtemp(join(tmpdir(), 'netlog-lock-race-'));
const tally = { good: 0, bad: 0, winners: new Map<number, number>(), replaced: 0 };
const started = Date.now();
try {
  for (let round = 1; round <= rounds; round++) {
    const data = join(root, `round-${round}`);
    const [crashed] = await race(1, data, 'load-backfill', undefined, lockModule);
    all.push(crashed!);
    const held = await crashed!.outcome;
    crashed!.child.kill('SIGKILL');
    await crashed!.exit;

    const contenders = await race(racers, data, 'load-daily', undefined, lockModule);
    all.push(...contenders);
    const outcomes = await Promise.all(contenders.map((c) => c.outcome));
    const winners = outcomes.filter((o) => o.won);
    const inFile = JSON.parse(await readFile(join(data, '.netlog.lock'), 'utf8')) as { pid: number };
    contenders.forEach((c, i) => outcomes[i]!.won && c.child.kill('SIGTERM'));
    const codes = await Promise.all(contenders.map((c) => c.exit));
    const left = await readdir(data);
    const problems = [
      winners.length !== 1 && `${winners.length} winners`,
      winners[0] && inFile.pid !== winners[0].pid && `the lock names ${inFile.pid}, not the winner`,
      winners[0] &&
        winners[0].replaced?.holder.pid !== held.pid &&
        'the winner did not replace the stale lock',
      codes.filter((c) => c === 4).length !== racers - 1 && `exit codes ${codes.join(',')}`,
      left.length > 0 && `left behind: ${left.join(' ')}`,
    ].filter(Boolean);
    tally.winners.set(winners.length, (tally.winners.get(winners.length) ?? 0) + 1);
    if (winners[0]?.replaced) tally.replaced++;
    if (problems.length === 0) tally.good++;
    else {
      tally.bad++;
      console.log(`round ${round}: ${problems.join('; ')}`);
    }
    all.length = 0;
  }
} finally {
  stopAll();
  await rm(root, { recursive: true, force: true });
}
console.log(
  `${rounds} rounds of ${racers} racers for a SIGKILLed run's lock in ${((Date.now() - started) / 1000).toFixed(0)} s: ` +
    `${tally.good} good, ${tally.bad} bad; rounds by number of winners: ${JSON.stringify(Object.fromEntries(tally.winners))}; ` +
    `winner carried replaced: ${tally.replaced}/${rounds}`,
);
process.exitCode = tally.bad === 0 ? 0 : 1;
